import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { bufferSource, fileSource, gunzipped, runParser } from "../src/ByteReader.ts"
import { embeddedMnistDirectory, loadMnist, md5, mnistFiles, parseIdx, readIdxPair, readIdxSet } from "../src/index.ts"
import { concat, gzip, idxImages, idxLabels, pattern } from "./fixtures.ts"

const unit = { scale: 1 / 255, offset: 0 }

describe("IDX on the embedded MNIST files", () => {
  it.effect("the files are the official ones and parse to 60k + 10k examples with labels 0..9", () =>
    Effect.gen(function*() {
      const directory = embeddedMnistDirectory()
      for (const entry of Object.values(mnistFiles)) {
        assert.strictEqual(md5(readFileSync(join(directory, entry.name))), entry.md5, entry.name)
      }
      const train = yield* parseIdx("train", readFileSync(join(directory, mnistFiles.trainImages.name)), 3)
      assert.deepStrictEqual(train.dimensions, [60_000, 28, 28])
      const test = yield* parseIdx("test", readFileSync(join(directory, mnistFiles.testLabels.name)), 1)
      assert.deepStrictEqual(test.dimensions, [10_000])
      const counts = new Array(10).fill(0)
      for (const label of test.data) counts[label]++
      assert.strictEqual(counts.reduce((a, b) => a + b, 0), 10_000)
      assert.isTrue(counts.every((c) => c > 800), "every digit occurs in the test set")
    }))

  it.effect("the streaming reader agrees with the in-memory parser", () =>
    Effect.gen(function*() {
      const directory = embeddedMnistDirectory()
      const images = join(directory, mnistFiles.testImages.name)
      const labels = join(directory, mnistFiles.testLabels.name)
      const streamed = yield* runParser(images, (signal) =>
        readIdxSet({
          images: fileSource(images),
          labels: fileSource(labels),
          classes: 10,
          scale: unit,
          imagesDigest: { algorithm: "md5", value: mnistFiles.testImages.md5 },
          labelsDigest: { algorithm: "md5", value: mnistFiles.testLabels.md5 }
        }, signal))
      const direct = yield* readIdxPair(images, labels, { images: mnistFiles.testImages.md5, labels: mnistFiles.testLabels.md5 }, 10)
      assert.strictEqual(streamed.count, 10_000)
      assert.deepStrictEqual(streamed.labels, direct.labels)
      assert.deepStrictEqual(streamed.inputs, direct.inputs)
    }))

  it.effect("the paper's split is deterministic: first 50k train, last 10k validation, official test", () =>
    Effect.gen(function*() {
      const a = yield* loadMnist()
      const b = yield* loadMnist({ trainSize: 1000 })
      assert.deepStrictEqual([a.train.count, a.validation.count, a.test.count], [50_000, 10_000, 10_000])
      assert.strictEqual(b.train.count, 1000)
      assert.deepStrictEqual(b.train.labels, a.train.labels.subarray(0, 1000))
      assert.deepStrictEqual(b.validation.labels, a.validation.labels)
      const trainLabels = yield* parseIdx("l", readFileSync(join(embeddedMnistDirectory(), mnistFiles.trainLabels.name)), 1)
      assert.deepStrictEqual(a.validation.labels, trainLabels.data.subarray(50_000))
      let max = 0
      for (const v of a.train.inputs) max = Math.max(max, v)
      assert.strictEqual(max, 1)
    }))

  it.effect("normalisations: symmetric maps each byte to byte * 2/255 - 1, standardize by the training set only, unit unchanged", () =>
    Effect.gen(function*() {
      const options = { trainSize: 2000, evaluationSize: 500 }
      const unitSplit = yield* loadMnist({ ...options, normalisation: "unit" })
      const plain = yield* loadMnist(options)
      assert.deepStrictEqual(unitSplit.train.inputs, plain.train.inputs)
      const symmetric = yield* loadMnist({ ...options, normalisation: "symmetric" })
      const bytes = yield* parseIdx("train", readFileSync(join(embeddedMnistDirectory(), mnistFiles.trainImages.name)), 3)
      for (let i = 0; i < symmetric.train.inputs.length; i++) {
        const expected = Math.fround(bytes.data[i]! * (2 / 255) - 1)
        if (symmetric.train.inputs[i] !== expected) assert.fail(`input ${i}: ${symmetric.train.inputs[i]} against ${expected}`)
      }
      // Background pixels (byte 0) are exactly -1, full ink exactly 1.
      assert.strictEqual(symmetric.test.inputs.reduce((a, b) => Math.min(a, b)), -1)
      assert.strictEqual(symmetric.test.inputs.reduce((a, b) => Math.max(a, b)), 1)
      const standardized = yield* loadMnist({ ...options, normalisation: "standardize" })
      // Pixel 14 * 28 + 14 (the centre): mean 0 and sd 1 over the training rows, not over validation's.
      const centre = 14 * 28 + 14
      const column = (set: typeof standardized.train) => Array.from({ length: set.count }, (_, r) => set.inputs[r * 784 + centre]!)
      const train = column(standardized.train)
      const mean = train.reduce((a, b) => a + b, 0) / train.length
      const sd = Math.sqrt(train.reduce((a, b) => a + (b - mean) ** 2, 0) / train.length)
      // float32 rounding of 2000 standardized values: far below 1e-5
      assert.isBelow(Math.abs(mean), 1e-5)
      assert.isBelow(Math.abs(sd - 1), 1e-5)
      const validation = column(standardized.validation)
      assert.notStrictEqual(validation.reduce((a, b) => a + b, 0) / validation.length, 0)
    }))
})

describe("IDX on malformed files", () => {
  const dir = mkdtempSync(join(tmpdir(), "idx-"))
  const write = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name)
    writeFileSync(path, bytes)
    return path
  }
  const good = { images: idxImages(5, 4, 4), labels: idxLabels([0, 1, 2, 3, 4]) }
  const goodMd5 = { images: md5(good.images), labels: md5(good.labels) }

  const cases: Array<{ name: string; images: Uint8Array; labels: Uint8Array; blame: "images" | "labels"; tag: string; problem: RegExp }> = [
    { name: "truncated images", images: good.images.subarray(0, 40), labels: good.labels, blame: "images", tag: "MalformedFile", problem: /truncated/ },
    { name: "truncated header", images: good.images.subarray(0, 6), labels: good.labels, blame: "images", tag: "MalformedFile", problem: /truncated/ },
    { name: "wrong magic", images: concat([Uint8Array.of(0, 0, 8, 2), good.images.subarray(4)]), labels: good.labels, blame: "images", tag: "MalformedFile", problem: /wrong magic 0x00000802, expected 0x00000803/ },
    { name: "count mismatch", images: good.images, labels: idxLabels([0, 1, 2, 3]), blame: "labels", tag: "MalformedFile", problem: /4 labels, expected 5/ },
    { name: "trailing bytes", images: concat([good.images, Uint8Array.of(1, 2, 3)]), labels: good.labels, blame: "images", tag: "MalformedFile", problem: /trailing bytes/ },
    { name: "label out of range", images: good.images, labels: idxLabels([0, 1, 12, 3, 4]), blame: "labels", tag: "MalformedFile", problem: /label 12 at index 2 is outside 0..9/ }
  ]
  for (const c of cases) {
    it.effect(`${c.name}: ${c.tag} naming the ${c.blame} file`, () =>
      Effect.gen(function*() {
        const images = write(`${c.name}-images`, c.images)
        const labels = write(`${c.name}-labels`, c.labels)
        const error = yield* Effect.flip(readIdxPair(images, labels, undefined, 10))
        assert.strictEqual(error._tag, c.tag)
        assert.include(error.message, c.blame === "images" ? images : labels)
        assert.match(error.message, c.problem)
      }))
  }

  it.effect("the streaming reader gives the same typed errors, also through gzip", () =>
    Effect.gen(function*() {
      for (const c of cases) {
        const images = write(`${c.name}-images.gz`, gzip(c.images))
        const labels = write(`${c.name}-labels.gz`, gzip(c.labels))
        const error = yield* Effect.flip(runParser(images, (signal) =>
          readIdxSet({ images: gunzipped(fileSource(images)), labels: gunzipped(fileSource(labels)), classes: 10, scale: unit }, signal)))
        assert.strictEqual(error._tag, c.tag, c.name)
        // The pair's count disagreement is found while reading the images, which names both files.
        assert.include(error.message, c.blame === "images" || c.name === "count mismatch" ? images : labels, c.name)
      }
    }))

  it.effect("checksum mismatch names the file and both digests", () =>
    Effect.gen(function*() {
      const altered = good.images.slice()
      altered[20] ^= 1
      const images = write("altered-images", altered)
      const labels = write("altered-labels", good.labels)
      const error = yield* Effect.flip(readIdxPair(images, labels, goodMd5, 10))
      assert.strictEqual(error._tag, "ChecksumMismatch")
      assert.include(error.message, images)
      assert.include(error.message, goodMd5.images)
      const streamed = yield* Effect.flip(runParser(images, (signal) =>
        readIdxSet({
          images: fileSource(images),
          labels: fileSource(labels),
          classes: 10,
          scale: unit,
          imagesDigest: { algorithm: "md5", value: goodMd5.images }
        }, signal)))
      assert.strictEqual(streamed._tag, "ChecksumMismatch")
      assert.include(streamed.message, images)
    }))

  it.effect("bad gzip data is a typed error naming the file", () =>
    Effect.gen(function*() {
      const compressed = gzip(good.images)
      compressed[compressed.length - 12] ^= 0xff
      const images = write("bad.gz", compressed)
      const error = yield* Effect.flip(runParser(images, (signal) =>
        readIdxSet({ images: gunzipped(fileSource(images)), labels: bufferSource("labels", good.labels), classes: 10, scale: unit }, signal)))
      assert.strictEqual(error._tag, "MalformedFile")
      assert.include(error.message, images)
    }))

  it.effect("a header declaring absurd sizes is refused before allocating", () =>
    Effect.gen(function*() {
      const huge = concat([Uint8Array.of(0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0, 0, 1, 0, 0, 0, 1, 0), pattern(64)])
      const error = yield* Effect.flip(runParser("huge", (signal) =>
        readIdxSet({ images: bufferSource("huge", huge), labels: bufferSource("labels", idxLabels([1])), classes: 10, scale: unit }, signal)))
      assert.strictEqual(error._tag, "MalformedFile")
      assert.include(error.message, "huge")
    }))
})
