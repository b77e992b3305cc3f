/**
 * The `fashion-mnist` dataset: Debian's `dataset-fashion-mnist` files when
 * installed, else downloaded into the cache. The decompressed bytes are
 * checked against the official raw md5 sums (Debian's gzip headers differ
 * from upstream's). Split 50k / 10k / 10k (validation from the end of the
 * training set).
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { fileSource, gunzipped } from "../ByteReader.ts"
import type { DatasetSpec, LoadContext } from "../DatasetSpec.ts"
import { ensureFile, type RemoteFile } from "../Download.ts"
import { gzipBound } from "./GzipBound.ts"
import { type FileEntry, idxBytes, readMnistFormat } from "./MnistFormat.ts"

/** Where Debian's `dataset-fashion-mnist` package installs the four gzipped files; used when they are there. */
export const DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
const FASHION_MIRROR = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com"

/** The four files with the official md5 sums of their decompressed bytes. */
export const fashionMnistFiles = {
  trainImages: { name: "train-images-idx3-ubyte.gz", md5: "f4a8712d7a061bf5bd6d2ca38dc4d50a" },
  trainLabels: { name: "train-labels-idx1-ubyte.gz", md5: "9018921c3c673c538a1fc5bad174d6f9" },
  testImages: { name: "t10k-images-idx3-ubyte.gz", md5: "8181f5470baa50b63fa0f6fddb340f0a" },
  testLabels: { name: "t10k-labels-idx1-ubyte.gz", md5: "15d484375f8d13e6eb1aabb0c3f46965" }
} as const

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

const gzSource = (path: string) => gunzipped(fileSource(path))

export const fashionMnistSpec: DatasetSpec = {
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
