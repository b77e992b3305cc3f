/**
 * The NORB binary matrix format (small NORB and Jittered-Cluttered NORB
 * v1.0): a little-endian int32 magic (0x1E3D4C55 for uint8 data, 0x1E3D4C54
 * for int32), an int32 rank, max(3, rank) int32 dimensions, then the data.
 *
 * A `-dat` file holds N stereo pairs (N x 2 x S x S bytes), its `-cat` file
 * the N category labels. Pairs are streamed and each S x S image is reduced
 * to `outSide` x `outSide` by area averaging (every output pixel is the mean
 * of the input area it covers, fractional pixels weighted by their overlap),
 * then mapped through the byte scale, so the only large allocation is the
 * final array.
 *
 * `checkNorbFile` reads one file through without keeping it, checking its
 * header, dimensions, length and labels: the test a download with no
 * published checksum must pass before it enters the cache.
 */
import { ByteReader, type ByteSource, forEachRecord } from "./ByteReader.ts"
import { InvalidSplit } from "./DatasetError.ts"
import type { LabelledSet } from "./LabelledSet.ts"
import type { ByteScale } from "./Normalisation.ts"

/** The magic (little-endian int32) that opens a NORB matrix of uint8 data: a `-dat` file of stereo pairs. */
export const NORB_UINT8_MAGIC = 0x1e3d4c55
/** The magic (little-endian int32) that opens a NORB matrix of int32 data: a `-cat` file of labels. */
export const NORB_INT32_MAGIC = 0x1e3d4c54
const MAX_RANK = 16
/** A corrupt header must not make us allocate: no NORB file holds more pairs (the largest hold 29,160). */
const MAX_PAIRS_PER_FILE = 100_000

const hex = (n: number): string => `0x${(n >>> 0).toString(16).toUpperCase()}`

/** Reads and checks a NORB matrix header; returns the `rank` dimensions. */
export const readNorbHeader = async (reader: ByteReader, magic: number, rank: number): Promise<Array<number>> => {
  const start = await reader.read(8, "the NORB header")
  const view = new DataView(start.buffer)
  const actual = view.getInt32(0, true)
  if (actual !== magic) {
    throw reader.fail(`wrong magic ${hex(actual)}, expected ${hex(magic)} (${magic === NORB_UINT8_MAGIC ? "uint8" : "int32"} matrix)`)
  }
  const ndim = view.getInt32(4, true)
  if (ndim < 0 || ndim > MAX_RANK) throw reader.fail(`rank ${ndim} is outside 0..${MAX_RANK}`)
  if (ndim !== rank) throw reader.fail(`rank ${ndim}, expected ${rank}`)
  const dims = await reader.read(4 * Math.max(3, ndim), "the NORB dimensions")
  const dimView = new DataView(dims.buffer)
  const dimensions: Array<number> = []
  for (let d = 0; d < ndim; d++) {
    const size = dimView.getInt32(4 * d, true)
    if (size < 0) throw reader.fail(`dimension ${d} is negative (${size})`)
    dimensions.push(size)
  }
  return dimensions
}

/** One split file pair of a NORB dataset. */
export interface NorbPart {
  readonly dat: ByteSource
  readonly cat: ByteSource
}

/** How `readNorb` reads a NORB variant's file pairs and reduces its images. */
export interface NorbOptions {
  /** The side of the stored images: 108 for Jittered-Cluttered NORB, 96 for small NORB. */
  readonly side: number
  /** The side after subsampling (32 in the paper). */
  readonly outSide: number
  /** Every label must be below it: 6 for Jittered-Cluttered NORB, 5 for small NORB. */
  readonly classes: number
  /** The byte map applied to the averaged pixels (see `byteScale`). */
  readonly scale: ByteScale
  /** Pairs every file must hold (29,160 or 24,300), checked before allocating. */
  readonly countPerFile?: number | undefined
}

/** Area-averaging weights: for each output index, the input indices and weights (summing to 1). */
export const areaWeights = (input: number, output: number): Array<{ readonly index: Int32Array; readonly weight: Float64Array }> => {
  const ratio = input / output
  const result = []
  for (let o = 0; o < output; o++) {
    const from = o * ratio
    const to = (o + 1) * ratio
    const index: Array<number> = []
    const weight: Array<number> = []
    for (let i = Math.floor(from); i < Math.min(input, Math.ceil(to)); i++) {
      const overlap = Math.min(to, i + 1) - Math.max(from, i)
      if (overlap > 1e-12) {
        index.push(i)
        weight.push(overlap / ratio)
      }
    }
    result.push({ index: Int32Array.from(index), weight: Float64Array.from(weight) })
  }
  return result
}

/** Reduces one side x side byte image into `out` at `offset` (outSide x outSide values). */
const subsampler = (side: number, outSide: number, { offset: shift, scale }: ByteScale) => {
  // Flattened weights: output o uses taps first[o] .. first[o+1]-1 of (index, weight).
  const weights = areaWeights(side, outSide)
  const first = new Int32Array(outSide + 1)
  weights.forEach((w, o) => (first[o + 1] = first[o]! + w.index.length))
  const index = new Int32Array(first[outSide]!)
  const weight = new Float64Array(first[outSide]!)
  weights.forEach((w, o) => {
    index.set(w.index, first[o]!)
    weight.set(w.weight, first[o]!)
  })
  const rows = new Float64Array(side * outSide)
  return (image: Uint8Array, out: Float32Array, offset: number): void => {
    for (let r = 0; r < side; r++) {
      const row = r * side
      for (let o = 0; o < outSide; o++) {
        let sum = 0
        for (let k = first[o]!; k < first[o + 1]!; k++) sum += image[row + index[k]!]! * weight[k]!
        rows[r * outSide + o] = sum
      }
    }
    for (let oy = 0; oy < outSide; oy++) {
      const target = offset + oy * outSide
      for (let ox = 0; ox < outSide; ox++) out[target + ox] = 0
      for (let k = first[oy]!; k < first[oy + 1]!; k++) {
        const source = index[k]! * outSide
        const w = weight[k]! * scale
        for (let ox = 0; ox < outSide; ox++) out[target + ox] += rows[source + ox]! * w
      }
      for (let ox = 0; ox < outSide; ox++) out[target + ox] += shift
    }
  }
}

/** Reads a `-dat` header and checks its dimensions; returns the number of pairs. */
const readDatHeader = async (reader: ByteReader, side: number, countPerFile: number | undefined): Promise<number> => {
  const [count = 0, views = 0, rows = 0, columns = 0] = await readNorbHeader(reader, NORB_UINT8_MAGIC, 4)
  if (views !== 2 || rows !== side || columns !== side) {
    throw reader.fail(`holds ${views}x${rows}x${columns} examples, expected stereo pairs 2x${side}x${side}`)
  }
  if (countPerFile !== undefined && count !== countPerFile) throw reader.fail(`holds ${count} pairs, expected ${countPerFile}`)
  if (count > MAX_PAIRS_PER_FILE) throw reader.fail(`holds ${count} pairs, more than the ${MAX_PAIRS_PER_FILE} a NORB file can hold`)
  return count
}

const datCount = async (part: NorbPart, options: NorbOptions, signal?: AbortSignal): Promise<number> => {
  const reader = ByteReader.open(part.dat, signal)
  try {
    return await readDatHeader(reader, options.side, options.countPerFile)
  } finally {
    await reader.close()
  }
}

/** Reads a `-cat` file's labels into `into` at `first`, checking count, range and length. */
const readCat = async (
  reader: ByteReader,
  count: number,
  classes: number,
  countOf: string,
  into?: Uint8Array,
  first = 0
): Promise<void> => {
  const [labels = 0] = await readNorbHeader(reader, NORB_INT32_MAGIC, 1)
  if (labels !== count) throw reader.fail(`holds ${labels} labels, expected ${count} ${countOf}`)
  await forEachRecord(reader, count, 4, "labels", (record, index) => {
    const label = record[0]! | (record[1]! << 8) | (record[2]! << 16) | (record[3]! << 24)
    if (label < 0 || label >= classes) throw reader.fail(`label ${label} at index ${index} is outside 0..${classes - 1}`)
    if (into !== undefined) into[first + index] = label
  })
  await reader.expectEnd(`${count} labels`)
}

/** What one NORB file must hold: `count` stereo pairs of side² bytes, or their `count` labels in 0..classes-1. */
export interface NorbFileShape {
  readonly kind: "dat" | "cat"
  readonly count: number
  readonly side: number
  readonly classes: number
}

/** The bytes of the matrix a NORB file of this shape holds (header included). */
export const norbMatrixBytes = (shape: NorbFileShape): number =>
  shape.kind === "dat" ? 8 + 4 * 4 + shape.count * 2 * shape.side * shape.side : 8 + 4 * 3 + shape.count * 4

/** Reads a NORB file through, failing with `MalformedFile` unless it is a whole matrix of `shape`. */
export const checkNorbFile = async (source: ByteSource, shape: NorbFileShape, signal?: AbortSignal): Promise<void> => {
  const reader = ByteReader.open(source, signal)
  try {
    if (shape.kind === "cat") return await readCat(reader, shape.count, shape.classes, "(the registry's count)")
    const count = await readDatHeader(reader, shape.side, shape.count)
    await reader.skip(count * 2 * shape.side * shape.side, `${count} stereo pairs`)
    await reader.expectEnd(`${count} stereo pairs`)
  } finally {
    await reader.close()
  }
}

const readLabels = async (
  part: NorbPart,
  count: number,
  classes: number,
  into: Uint8Array,
  first: number,
  signal?: AbortSignal
): Promise<void> => {
  const reader = ByteReader.open(part.cat, signal)
  try {
    await readCat(reader, count, classes, `to match ${part.dat.file}`, into, first)
  } finally {
    await reader.close()
  }
}

/** Streams NORB file pairs into one labelled set of subsampled stereo pairs. */
export const readNorb = async (
  parts: ReadonlyArray<NorbPart>,
  options: NorbOptions,
  signal?: AbortSignal
): Promise<LabelledSet> => {
  if (!(options.outSide >= 1 && options.outSide <= options.side && Number.isInteger(options.outSide))) {
    throw new InvalidSplit({ dataset: parts[0]?.dat.file ?? "norb", problem: `output side ${options.outSide} is not a whole number in 1..${options.side}` })
  }
  const counts: Array<number> = []
  for (const part of parts) counts.push(await datCount(part, options, signal))
  const total = counts.reduce((a, b) => a + b, 0)
  const features = 2 * options.outSide * options.outSide
  const inputs = new Float32Array(total * features)
  const labels = new Uint8Array(total)
  const reduce = subsampler(options.side, options.outSide, options.scale)
  const image = options.side * options.side
  let first = 0
  for (const [p, part] of parts.entries()) {
    const count = counts[p]!
    await readLabels(part, count, options.classes, labels, first, signal)
    const reader = ByteReader.open(part.dat, signal)
    try {
      await readNorbHeader(reader, NORB_UINT8_MAGIC, 4)
      await forEachRecord(reader, count, 2 * image, "stereo pairs", (pair, index) => {
        const base = (first + index) * features
        reduce(pair.subarray(0, image), inputs, base)
        reduce(pair.subarray(image), inputs, base + features / 2)
      })
      await reader.expectEnd(`${count} stereo pairs`)
    } finally {
      await reader.close()
    }
    first += count
  }
  return { inputs, labels, count: total, features }
}
