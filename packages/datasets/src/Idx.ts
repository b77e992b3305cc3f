/**
 * The IDX format of MNIST and its relatives: a big-endian header of two zero
 * bytes, a type code, the number of dimensions and one uint32 per dimension,
 * then the data in C order. Only unsigned-byte data (type 0x08) is used.
 * `parseIdx` checks bytes already in memory; the streaming readers below turn
 * an image file straight into scaled Float32 rows and a label file into bytes.
 */
import { Effect } from "effect"
import { ByteReader, type ByteSource, checkDigest, type Digest, forEachRecord } from "./ByteReader.ts"
import { MalformedFile } from "./DatasetError.ts"
import type { LabelledSet } from "./LabelledSet.ts"
import { type ByteScale, byteTable } from "./Normalisation.ts"

/** A parsed IDX file (what `parseIdx` returns). */
export interface IdxArray {
  /** The sizes its header declares, outermost first: [count] for labels, [count, rows, columns] for images. */
  readonly dimensions: ReadonlyArray<number>
  /** The bytes after the header, in C order; a view of the bytes given, not a copy. */
  readonly data: Uint8Array
}

const UNSIGNED_BYTE = 0x08

/** Parses an IDX file's bytes; `expectedRank` is 1 for labels, 3 for images. */
export const parseIdx = (
  file: string,
  bytes: Uint8Array,
  expectedRank: number
): Effect.Effect<IdxArray, MalformedFile> =>
  Effect.gen(function*() {
    const fail = (problem: string) => new MalformedFile({ file, problem })
    if (bytes.length < 4) return yield* fail(`truncated: ${bytes.length} bytes, shorter than the 4-byte IDX magic`)
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const magic = view.getUint32(0, false)
    const expectedMagic = (UNSIGNED_BYTE << 8) | expectedRank
    if (magic !== expectedMagic) {
      return yield* fail(
        `wrong magic 0x${magic.toString(16).padStart(8, "0")}, expected 0x${
          expectedMagic.toString(16).padStart(8, "0")
        } (unsigned bytes, ${expectedRank} dimension${expectedRank === 1 ? "" : "s"})`
      )
    }
    const headerLength = 4 + 4 * expectedRank
    if (bytes.length < headerLength) {
      return yield* fail(`truncated header: ${bytes.length} bytes, expected at least ${headerLength}`)
    }
    const dimensions: Array<number> = []
    for (let d = 0; d < expectedRank; d++) dimensions.push(view.getUint32(4 + 4 * d, false))
    const size = dimensions.reduce((a, b) => a * b, 1)
    const actual = bytes.length - headerLength
    if (actual !== size) {
      return yield* fail(
        `${actual < size ? "truncated" : "trailing bytes"}: header declares ${
          dimensions.join("x")
        } = ${size} data bytes, file has ${actual}`
      )
    }
    return { dimensions, data: bytes.subarray(headerLength) }
  })

const hex = (n: number): string => `0x${n.toString(16).padStart(8, "0")}`

/** Reads and checks an IDX header of the given rank from a stream. */
export const readIdxHeader = async (reader: ByteReader, rank: number): Promise<Array<number>> => {
  const header = await reader.read(4 + 4 * rank, "the IDX header")
  const view = new DataView(header.buffer)
  const magic = view.getUint32(0, false)
  const expected = (UNSIGNED_BYTE << 8) | rank
  if (magic !== expected) {
    throw reader.fail(`wrong magic ${hex(magic)}, expected ${hex(expected)} (unsigned bytes, ${rank} dimension${rank === 1 ? "" : "s"})`)
  }
  const dimensions: Array<number> = []
  for (let d = 0; d < rank; d++) dimensions.push(view.getUint32(4 + 4 * d, false))
  return dimensions
}

/** Without an expected image size, a header may not declare more data than this. */
export const DEFAULT_MAX_IDX_BYTES = 1 << 28

/** How `readIdxImages` reads an image file and what its header must declare; a check left out is not made. */
export interface IdxImageOptions {
  /** The byte map applied to every pixel (see `byteScale`). */
  readonly scale: ByteScale
  /** The number of images the header must declare (checked before allocating). */
  readonly count?: number | undefined
  /** Why that count is expected, for the error message. */
  readonly countReason?: string | undefined
  /** The image side the header must declare (rows and columns). */
  readonly side?: number | undefined
  /** Images stored column-major (EMNIST): write them back row-major. */
  readonly transpose?: boolean | undefined
  /** Digest of the (decompressed) file, checked once it is fully read. */
  readonly digest?: Digest | undefined
}

/** An IDX image file read by `readIdxImages`. */
export interface IdxImages {
  /** `count` images of `rows` x `columns` scaled values each, row-major. */
  readonly inputs: Float32Array
  readonly count: number
  readonly rows: number
  readonly columns: number
}

/** Streams an IDX image file into scaled Float32 rows. */
export const readIdxImages = async (
  source: ByteSource,
  options: IdxImageOptions,
  signal?: AbortSignal
): Promise<IdxImages> => {
  const reader = ByteReader.open(source, signal, options.digest?.algorithm)
  try {
    const [count = 0, rows = 0, columns = 0] = await readIdxHeader(reader, 3)
    if (options.count !== undefined && count !== options.count) {
      const reason = options.countReason === undefined ? "" : ` ${options.countReason}`
      throw reader.fail(`header declares ${count} images, expected ${options.count}${reason}`)
    }
    if (options.side !== undefined && (rows !== options.side || columns !== options.side)) {
      throw reader.fail(`header declares ${rows}x${columns} images, expected ${options.side}x${options.side}`)
    }
    const features = rows * columns
    // A corrupt header must not make us allocate: without an expected image
    // side, the declared data must stay within a bound fit for any IDX dataset.
    if (options.side === undefined && count * features > DEFAULT_MAX_IDX_BYTES) {
      throw reader.fail(`header declares ${count}x${rows}x${columns} bytes, more than the ${DEFAULT_MAX_IDX_BYTES} allowed without an expected image size`)
    }
    if (features === 0 && count > 0) throw reader.fail(`header declares empty ${rows}x${columns} images`)
    const inputs = new Float32Array(count * features)
    const table = byteTable(options.scale)
    await forEachRecord(reader, count, features, "images", (record, index) => {
      const base = index * features
      if (options.transpose === true) {
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < columns; c++) inputs[base + r * columns + c] = table[record[c * rows + r]!]!
        }
      } else {
        for (let f = 0; f < features; f++) inputs[base + f] = table[record[f]!]!
      }
    })
    await reader.expectEnd(`${count} images`)
    checkDigest(reader, options.digest)
    return { inputs, count, rows, columns }
  } finally {
    await reader.close()
  }
}

/** Streams an IDX label file, checking every label is below `classes`. */
export const readIdxLabels = async (
  source: ByteSource,
  options: {
    readonly classes: number
    readonly count?: number | undefined
    readonly digest?: Digest | undefined
  },
  signal?: AbortSignal
): Promise<Uint8Array> => {
  const reader = ByteReader.open(source, signal, options.digest?.algorithm)
  try {
    const [count = 0] = await readIdxHeader(reader, 1)
    if (options.count !== undefined && count !== options.count) {
      throw reader.fail(`header declares ${count} labels, expected ${options.count}`)
    }
    if (options.count === undefined && count > DEFAULT_MAX_IDX_BYTES) {
      throw reader.fail(`header declares ${count} labels, more than the ${DEFAULT_MAX_IDX_BYTES} allowed without an expected count`)
    }
    const labels = await reader.read(count, `${count} labels`)
    await reader.expectEnd(`${count} labels`)
    checkDigest(reader, options.digest)
    const bad = labels.findIndex((label) => label >= options.classes)
    if (bad >= 0) throw reader.fail(`label ${labels[bad]} at index ${bad} is outside 0..${options.classes - 1}`)
    return labels
  } finally {
    await reader.close()
  }
}

/** The two files of one IDX split and the checks `readIdxSet` makes on them; a check left out is not made. */
export interface IdxPairOptions {
  /** The image file (rank 3). */
  readonly images: ByteSource
  /** The label file (rank 1). */
  readonly labels: ByteSource
  /** Every label must be below it. */
  readonly classes: number
  /** The byte map applied to every pixel (see `byteScale`). */
  readonly scale: ByteScale
  /** The number of examples both headers must declare. */
  readonly count?: number | undefined
  /** The image side the header must declare (rows and columns). */
  readonly side?: number | undefined
  /** Images stored column-major (EMNIST): write them back row-major. */
  readonly transpose?: boolean | undefined
  /** Digest of the (decompressed) image file, checked once it is fully read. */
  readonly imagesDigest?: Digest | undefined
  /** Digest of the (decompressed) label file. */
  readonly labelsDigest?: Digest | undefined
}

/** Streams an image/label IDX pair into a labelled set; the counts must agree. */
export const readIdxSet = async (options: IdxPairOptions, signal?: AbortSignal): Promise<LabelledSet> => {
  const labels = await readIdxLabels(
    options.labels,
    { classes: options.classes, count: options.count, digest: options.labelsDigest },
    signal
  )
  const images = await readIdxImages(options.images, {
    scale: options.scale,
    count: labels.length,
    countReason: `to match the ${labels.length} labels of ${options.labels.file}`,
    side: options.side,
    transpose: options.transpose,
    digest: options.imagesDigest
  }, signal)
  return { inputs: images.inputs, labels, count: images.count, features: images.rows * images.columns }
}
