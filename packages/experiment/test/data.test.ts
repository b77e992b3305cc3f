import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeServices } from "@effect/platform-node"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { NUMERICS_VERSION } from "@rectifier/core"
import { type DataSource, findPreset, loadRunData, type Preset, resolveConfig, runKey, runPipeline } from "@rectifier/experiment"
import { cifar10File, stampOf } from "@rectifier/datasets"
import { Effect } from "effect"
import { cifarRecords, concat, gzip, norbCat, norbDat, pattern, tar } from "../../datasets/test/fixtures.ts"

const files = new Map<string, Uint8Array>()
let server: Server
let base = ""

beforeAll(async () => {
  server = createServer((request, response) => {
    const body = files.get(request.url ?? "")
    if (body === undefined) response.writeHead(404).end()
    else response.writeHead(200, { "content-length": body.length }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const freshDir = () => mkdtempSync(join(tmpdir(), "rectifier-pipeline-data-"))

const tiny = (name: string, dataset: string): Preset => ({
  name,
  description: `a tiny net on ${dataset} files in the real format`,
  overrides: {
    dataset: { name: dataset as "norb-small" },
    training: { hiddenLayers: [16], epochs: 2, learningRate: 0.05, batchSize: 4, evaluationBatchSize: 64 },
    backend: "cpu"
  },
  references: []
})

// Small NORB as the NYU mirror serves it: gzipped .mat files, 96x96 stereo pairs, 20 per file.
const PAIRS = 20
const serveSmallNorb = () => {
  const train = "smallnorb-5x46789x9x18x6x2x96x96-training"
  const test = "smallnorb-5x01235x9x18x6x2x96x96-testing"
  const labels = (salt: number) => Array.from({ length: PAIRS }, (_, i) => (i * 3 + salt) % 5)
  // One pattern per pair (a pattern over the whole file repeats with the pair's size).
  const pixels = (salt: number) => concat(Array.from({ length: PAIRS }, (_, i) => pattern(2 * 96 * 96, salt + 7 * i)))
  files.set(`/norb/${train}-dat.mat.gz`, gzip(norbDat(PAIRS, 96, pixels(1))))
  files.set(`/norb/${train}-cat.mat.gz`, gzip(norbCat(labels(0))))
  files.set(`/norb/${test}-dat.mat.gz`, gzip(norbDat(PAIRS, 96, pixels(2))))
  files.set(`/norb/${test}-cat.mat.gz`, gzip(norbCat(labels(1))))
}

const run = <A, E>(effect: Effect.Effect<A, E, NodeServices.NodeServices>) => effect.pipe(Effect.provide(NodeServices.layer))

describe("pipeline runs on datasets other than MNIST", () => {
  it.live("small NORB downloaded from a mirror; with half the labels, training sees only those, pre-training all inputs", () =>
    Effect.gen(function*() {
      serveSmallNorb()
      const source: DataSource = {
        dataDir: freshDir(),
        mirrors: [`${base}/norb`],
        expected: { pairsPerFile: PAIRS },
        split: { validation: 4 }
      }
      const preset = tiny("norb-small-tiny", "norb-small")
      const pretraining = { kind: "dae", activation: "rectifier", epochs: 1, batchSize: 4 }
      const half = yield* resolveConfig(preset, { dataset: { labelledFraction: 0.5 }, pretraining, seed: 5 })
      const all = yield* resolveConfig(preset, { pretraining, seed: 5 })
      const out = freshDir()
      const partly = yield* run(runPipeline(preset, half, { out, data: source }))
      // The files are in the cache now: the second run works offline.
      const fully = yield* run(runPipeline(preset, all, { out, data: { ...source, offline: true } }))

      const paper = { train: 20_000, validation: 4_300, test: 24_300 }
      assert.deepStrictEqual(partly.record.data, { dataset: "norb-small", train: 8, validation: 4, test: 20, unlabelled: 8, paper })
      assert.deepStrictEqual(fully.record.data, { dataset: "norb-small", train: 16, validation: 4, test: 20, unlabelled: 0, paper })
      assert.strictEqual(partly.record.config.dataset.labelledFraction, 0.5)
      // Pre-training saw the same 16 inputs in the same order: identical curves, bit for bit.
      const curves = (record: typeof partly.record) =>
        record.pretraining?.layers.map((layer) => layer.curve.map(({ seconds: _, ...measured }) => measured))
      assert.isDefined(curves(partly.record))
      assert.deepStrictEqual(curves(partly.record), curves(fully.record))
      // Supervised training did not: its losses differ.
      assert.notStrictEqual(partly.record.epochs[0]!.trainLoss, fully.record.epochs[0]!.trainLoss)
      for (const { record } of [partly, fully]) {
        assert.isTrue(Number.isFinite(record.result.testError) && record.result.testError <= 1)
        assert.strictEqual(record.epochs.length, 2)
      }
    }))

  it.live("the labelled part is drawn from the run's seed: a subset of the training set, the same for the same seed", () =>
    Effect.gen(function*() {
      serveSmallNorb()
      const source: DataSource = { dataDir: freshDir(), mirrors: [`${base}/norb`], expected: { pairsPerFile: PAIRS }, split: { validation: 4 } }
      const preset = tiny("norb-small-tiny", "norb-small")
      const config = (seed: number) => resolveConfig(preset, { dataset: { labelledFraction: 0.25 }, seed })
      const first = yield* loadRunData(yield* config(1), source)
      const again = yield* loadRunData(yield* config(1), { ...source, offline: true })
      const other = yield* loadRunData(yield* config(2), { ...source, offline: true })
      const { all, labelled } = first
      assert.strictEqual(labelled.train.count, 4)
      assert.strictEqual(labelled.unlabelled?.count, 12)
      assert.deepStrictEqual(again.labelled.train.inputs, labelled.train.inputs)
      assert.notDeepEqual(Array.from(other.labelled.train.inputs), Array.from(labelled.train.inputs))
      // Every labelled and every unlabelled example is a distinct training example, with its label.
      const rows = new Map<string, number>()
      for (let i = 0; i < all.train.count; i++) {
        rows.set(all.train.inputs.subarray(i * all.train.features, (i + 1) * all.train.features).join(","), all.train.labels[i]!)
      }
      const seen = new Set<string>()
      for (const set of [labelled.train, labelled.unlabelled!]) {
        for (let i = 0; i < set.count; i++) {
          const key = set.inputs.subarray(i * set.features, (i + 1) * set.features).join(",")
          assert.strictEqual(rows.get(key), set.labels[i])
          seen.add(key)
        }
      }
      assert.strictEqual(seen.size, all.train.count)
      assert.deepStrictEqual(labelled.validation.inputs, all.validation.inputs)
    }))

  it.effect("symmetric inputs: MNIST's pixels in [-1, 1] for every split, a distinct run; refused with pre-training", () =>
    Effect.gen(function*() {
      const tanh = yield* findPreset("mnist-tanh")
      const sizes = { trainSize: 200, evaluationSize: 100 }
      const plain = yield* resolveConfig(tanh, { dataset: sizes })
      const symmetric = yield* resolveConfig(tanh, { dataset: { ...sizes, inputs: "symmetric" } })
      assert.notStrictEqual(runKey(symmetric, NUMERICS_VERSION), runKey(plain, NUMERICS_VERSION))
      const unit = yield* loadRunData(plain)
      const signed = yield* loadRunData(symmetric)
      for (const split of ["train", "validation", "test"] as const) {
        const [a, b] = [unit.labelled[split].inputs, signed.labelled[split].inputs]
        assert.strictEqual(a.length, b.length)
        // byte / 255 against byte * 2/255 - 1 of the same byte: b = 2a - 1 up to float32 rounding (2^-23 of 1)
        for (let i = 0; i < a.length; i++) {
          if (Math.abs(b[i]! - (2 * a[i]! - 1)) > 2.4e-7) assert.fail(`${split} input ${i}: ${b[i]} against 2 * ${a[i]} - 1`)
        }
      }
      // Pre-training takes the pixels as [0, 1] targets (the tanh stack's cross-entropy): refused, naming the field.
      const dae = yield* findPreset("mnist-tanh-dae")
      const refused = yield* Effect.flip(resolveConfig(dae, { dataset: { inputs: "symmetric" } }))
      assert.strictEqual(refused._tag, "ConfigInvalid")
      assert.include(refused.message, "dataset.inputs")
      assert.include(refused.message, "cannot be pre-trained")
    }))

  it.live("CIFAR-10 from files already in the cache, offline; without them, the typed not-cached error", () =>
    Effect.gen(function*() {
      const dataDir = freshDir()
      const target = join(dataDir, "cifar10/cifar-10-binary.tar.gz")
      mkdirSync(join(dataDir, "cifar10"), { recursive: true })
      const batch = (salt: number) => cifarRecords(Array.from({ length: 6 }, (_, i) => (i + salt) % 10), salt)
      writeFileSync(target, gzip(tar([
        ...[1, 2, 3, 4, 5].map((b) => ({ name: `cifar-10-batches-bin/data_batch_${b}.bin`, data: batch(b) })),
        { name: "cifar-10-batches-bin/test_batch.bin", data: batch(6) }
      ])))
      // As a completed download leaves a verified file: its size, modification time and the check it passed.
      writeFileSync(`${target}.verified`, stampOf(target, cifar10File))
      const source: DataSource = { dataDir, offline: true, expected: { recordsPerBatch: 6 }, split: { validation: 3, test: 3 } }
      const preset = tiny("cifar10-tiny", "cifar10")
      const config = yield* resolveConfig(preset, { dataset: { trainSize: 24 } })
      const out = freshDir()
      const { record } = yield* run(runPipeline(preset, config, { out, data: source }))
      assert.deepStrictEqual(record.data, {
        dataset: "cifar10",
        train: 24,
        validation: 3,
        test: 3,
        unlabelled: 0,
        paper: { train: 50_000, validation: 5_000, test: 5_000 }
      })
      assert.strictEqual(record.config.dataset.name, "cifar10")
      assert.isTrue(Number.isFinite(record.epochs[1]!.trainLoss))

      const empty = freshDir()
      const error = yield* Effect.flip(run(runPipeline(preset, config, { out, data: { ...source, dataDir: empty } })))
      assert.strictEqual(error._tag, "NotCached")
      assert.include(error.message, join(empty, "cifar10/cifar-10-binary.tar.gz"))
      const folders = readdirSync(out).filter((name) => name.startsWith("cifar10-tiny"))
      assert.strictEqual(folders.length, 2)
      const failed = folders.map((name) => readdirSync(join(out, name))).filter((names) => !names.includes("results.json"))
      assert.deepStrictEqual(failed, [["config.json"]], "the failed run has its configuration and no results")
    }))
})
