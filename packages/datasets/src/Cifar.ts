/**
 * CIFAR-10 from its official binary archive (cifar-10-binary.tar.gz): the
 * tar.gz is streamed, and each batch's records (1 label byte, then 1024 red,
 * 1024 green and 1024 blue bytes of a 32x32 image, row-major) are written
 * straight into the training and test arrays. Inputs keep that channel-major
 * layout, so an example's shape is [3, 32, 32].
 */
import { ByteReader, type ByteSource, forEachRecord } from "./ByteReader.ts"
import type { LabelledSet } from "./LabelledSet.ts"
import { type ByteScale, byteTable } from "./Normalisation.ts"
import { forEachTarEntry } from "./Tar.ts"

/** Bytes of one image, and so features of one example: 3 channels of 32x32 pixels (3,072). */
export const CIFAR_PIXELS = 3 * 32 * 32
/** Bytes of one record of a batch file: the label byte, then the image (3,073). */
export const CIFAR_RECORD = 1 + CIFAR_PIXELS
/** Records in each batch file of the official archive; `CifarOptions.recordsPerBatch` replaces it for smaller archives. */
export const CIFAR_BATCH_RECORDS = 10_000
const TRAIN_BATCHES = 5

/** How `readCifar10` reads an archive. */
export interface CifarOptions {
  /** The byte map applied to every pixel (see `byteScale`). */
  readonly scale: ByteScale
  /** Records per batch file; 10,000 in the official archive. */
  readonly recordsPerBatch?: number | undefined
}

const batchIndex = (name: string): number | undefined => {
  const match = /(?:^|\/)(?:data_batch_([1-5])|(test_batch))\.bin$/.exec(name)
  if (match === null) return undefined
  return match[2] !== undefined ? 0 : Number(match[1])
}

/** Reads the five training batches and the test batch from a (gunzipped) CIFAR-10 tar. */
export const readCifar10 = async (
  archive: ByteSource,
  options: CifarOptions,
  signal?: AbortSignal
): Promise<{ readonly train: LabelledSet; readonly test: LabelledSet }> => {
  const perBatch = options.recordsPerBatch ?? CIFAR_BATCH_RECORDS
  const table = byteTable(options.scale)
  const train = {
    inputs: new Float32Array(TRAIN_BATCHES * perBatch * CIFAR_PIXELS),
    labels: new Uint8Array(TRAIN_BATCHES * perBatch),
    count: TRAIN_BATCHES * perBatch,
    features: CIFAR_PIXELS
  }
  const test = {
    inputs: new Float32Array(perBatch * CIFAR_PIXELS),
    labels: new Uint8Array(perBatch),
    count: perBatch,
    features: CIFAR_PIXELS
  }
  const seen = new Set<number>()
  const reader = ByteReader.open(archive, signal)
  try {
    await forEachTarEntry(reader, async ({ name, size }) => {
      const batch = batchIndex(name)
      if (batch === undefined) return false
      if (seen.has(batch)) throw reader.fail(`tar entry ${name} appears twice`)
      seen.add(batch)
      if (size !== perBatch * CIFAR_RECORD) {
        throw reader.fail(`tar entry ${name} holds ${size} bytes, expected ${perBatch} records of ${CIFAR_RECORD} bytes`)
      }
      const target = batch === 0 ? test : train
      const first = batch === 0 ? 0 : (batch - 1) * perBatch
      await forEachRecord(reader, perBatch, CIFAR_RECORD, `records of ${name}`, (record, index) => {
        const label = record[0]!
        if (label > 9) throw reader.fail(`${name}: label ${label} of record ${index} is outside 0..9`)
        const row = first + index
        target.labels[row] = label
        const base = row * CIFAR_PIXELS
        for (let p = 0; p < CIFAR_PIXELS; p++) target.inputs[base + p] = table[record[1 + p]!]!
      })
      return true
    })
    const missing = [1, 2, 3, 4, 5, 0].filter((b) => !seen.has(b)).map((b) => (b === 0 ? "test_batch.bin" : `data_batch_${b}.bin`))
    if (missing.length > 0) throw reader.fail(`the archive lacks ${missing.join(", ")}`)
    return { train, test }
  } finally {
    await reader.close()
  }
}
