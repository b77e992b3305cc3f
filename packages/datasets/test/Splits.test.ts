import { existsSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { FetchHttpClient } from "effect/http"
import {
  applySplit,
  Dataset,
  DEBIAN_FASHION_MNIST,
  fashionMnistFiles,
  InvalidSplit,
  featureStatistics,
  type LabelledSet,
  loadDataset,
  verifyFile,
  withLabelledFraction
} from "../src/index.ts"

const toySet = (count: number, features = 3): LabelledSet => ({
  inputs: Float32Array.from({ length: count * features }, (_, i) => i),
  labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
  count,
  features
})

describe("splits", () => {
  const input = { name: "toy", classes: 10, exampleShape: [3], train: toySet(100), test: toySet(40) }

  it("validation from the end of the training set, or from the start of the test set", () => {
    const a = applySplit(input, { validationFrom: "train", train: 80, validation: 20, test: 40 })
    if (a instanceof InvalidSplit) return assert.fail(a.message)
    assert.deepStrictEqual([a.train.count, a.validation.count, a.test.count], [80, 20, 40])
    assert.strictEqual(a.validation.inputs[0], 80 * 3)
    const b = applySplit(input, { validationFrom: "test", train: 100, validation: 15, test: 15 })
    if (b instanceof InvalidSplit) return assert.fail(b.message)
    assert.deepStrictEqual([b.validation.inputs[0], b.test.inputs[0]], [0, 15 * 3])
  })

  it("overrides are checked against the data", () => {
    const plan = { validationFrom: "train", train: 80, validation: 20, test: 40 } as const
    const bad = applySplit(input, plan, { train: 90 })
    assert.instanceOf(bad, InvalidSplit)
    assert.include((bad as InvalidSplit).message, "train size 90")
    assert.instanceOf(applySplit(input, plan, { validation: 101 }), InvalidSplit)
  })

  it("a labelled fraction is a seeded, disjoint subset; the rest is kept unlabelled", () => {
    const split = applySplit(input, { validationFrom: "train", train: 80, validation: 20, test: 40 })
    if (split instanceof InvalidSplit) return assert.fail(split.message)
    const a = withLabelledFraction(split, 0.25, 7)
    const b = withLabelledFraction(split, 0.25, 7)
    const c = withLabelledFraction(split, 0.25, 8)
    if (a instanceof InvalidSplit || b instanceof InvalidSplit || c instanceof InvalidSplit) return assert.fail("invalid")
    assert.strictEqual(a.train.count, 20)
    assert.strictEqual(a.unlabelled!.count, 60)
    assert.deepStrictEqual(a.train.inputs, b.train.inputs)
    assert.notDeepEqual(Array.from(a.train.inputs), Array.from(c.train.inputs))
    const rows = new Set([...a.train.inputs, ...a.unlabelled!.inputs].filter((_, i) => i % 3 === 0))
    assert.strictEqual(rows.size, 80, "labelled and unlabelled rows partition the training set")
    assert.instanceOf(withLabelledFraction(split, 0, 1), InvalidSplit)
  })
})

describe("the Dataset service", () => {
  it.live("Dataset.layer loads a dataset by name with a split and a labelled fraction", () =>
    Effect.gen(function*() {
      const data = yield* Effect.gen(function*() {
        return yield* Dataset
      }).pipe(Effect.provide(Dataset.layer({ name: "mnist", split: { train: 2000 }, labelledFraction: 0.1, seed: 3 })))
      assert.strictEqual(data.name, "mnist")
      assert.deepStrictEqual([data.train.count, data.unlabelled?.count, data.validation.count], [200, 1800, 10_000])
    }))
})

describe("normalisation", () => {
  it.live("standardize gives training features zero mean and unit variance; symmetric spans [-1, 1]", () =>
    Effect.gen(function*() {
      const data = yield* loadDataset({ name: "mnist", normalisation: "standardize", split: { train: 5000 } }).pipe(
        Effect.provide(FetchHttpClient.layer)
      )
      const { mean, std } = featureStatistics(data.train)
      const centre = 14 * 28 + 14
      assert.closeTo(mean[centre]!, 0, 1e-4)
      assert.closeTo(std[centre]!, 1, 1e-3)
      const symmetric = yield* loadDataset({ name: "mnist", normalisation: "symmetric", split: { train: 100 } }).pipe(
        Effect.provide(FetchHttpClient.layer)
      )
      assert.strictEqual(Math.min(...symmetric.train.inputs), -1)
      assert.strictEqual(Math.max(...symmetric.train.inputs), 1)
    }))
})

const debianInstalled = existsSync(join(DEBIAN_FASHION_MNIST, fashionMnistFiles.trainImages.name))

describe("the real Fashion-MNIST from Debian's dataset-fashion-mnist", () => {
  it.live.skipIf(!debianInstalled)("loads offline and its decompressed bytes match the official md5 sums", () =>
    Effect.gen(function*() {
      for (const entry of Object.values(fashionMnistFiles)) {
        const verified = yield* verifyFile(join(DEBIAN_FASHION_MNIST, entry.name), {
          dataset: "fashion-mnist",
          path: entry.name,
          size: { atMost: 30_000_000, basis: "a test bound" },
          remotePath: entry.name,
          mirrors: [],
          checksum: { algorithm: "md5", value: entry.md5, of: "gunzipped" }
        })
        assert.strictEqual(verified.digest, entry.md5)
      }
      const data = yield* loadDataset({ name: "fashion-mnist", offline: true }).pipe(Effect.provide(FetchHttpClient.layer))
      assert.deepStrictEqual([data.train.count, data.validation.count, data.test.count], [50_000, 10_000, 10_000])
      const counts = new Array(10).fill(0)
      for (const label of data.test.labels) counts[label]++
      assert.deepStrictEqual(counts, new Array(10).fill(1000), "the official test set has 1,000 of each class")
    }))
})
