import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { findPreset, resolveConfig, resumePipeline, runPipeline } from "@rectifier/experiment"
import { Effect } from "effect"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { comparableRecord, temporaryFolder } from "./helpers.ts"

const small = {
  dataset: { trainSize: 500, evaluationSize: 300 },
  training: { hiddenLayers: [48, 48], epochs: 2, learningRate: 0.05 },
  backend: "wasm"
} as const

const run = (name: string, out: string, seed = 3) =>
  Effect.gen(function*() {
    const preset = yield* findPreset(name)
    const config = yield* resolveConfig(preset, {
      ...small,
      seed,
      pretraining: { ...preset.overrides.pretraining, epochs: 2, batchSize: 10 }
    })
    return yield* runPipeline(preset, config, { out })
  })


describe("pre-training then fine-tuning (pipeline, end to end)", () => {
  it.live("a DAE-pre-trained rectifier net fine-tunes, records its curves, and reruns identically from the seed", () =>
    Effect.gen(function*() {
      const out = temporaryFolder("dae")
      const first = yield* run("mnist-relu-dae", out)
      const { record } = first
      assert.strictEqual(record.config.pretraining?.kind, "dae")
      assert.deepStrictEqual(record.config.pretraining?.hiddenSizes, [48, 48])
      assert.strictEqual(record.pretraining?.layers.length, 2)
      const curve = record.pretraining!.layers[0]!.curve
      assert.isBelow(curve[1]!["reconstructionError"]!, curve[0]!["reconstructionError"]!)
      assert.isBelow(record.result.testError, 0.5)
      const report = readFileSync(join(first.folder, "report.md"), "utf8")
      assert.include(report, "## Pre-training")
      assert.include(report, "1.20%")
      const second = yield* run("mnist-relu-dae", out)
      assert.deepStrictEqual(comparableRecord(first.folder), comparableRecord(second.folder))
    }).pipe(Effect.provide(NodeServices.layer)))

  it.live("a resumed run reuses the pre-trained stack kept in its folder instead of pre-training again", () =>
    Effect.gen(function*() {
      const { folder, record } = yield* run("mnist-relu-dae", temporaryFolder("dae-resume"))
      const curves = join(folder, "pretrained", "curves.json")
      const kept = JSON.parse(readFileSync(curves, "utf8")) as { layers: Array<{ curve: Array<Record<string, number>> }> }
      assert.deepStrictEqual(kept as unknown, record.pretraining)
      // Mark the kept curves, and drop what the supervised phase wrote: a resume starts fine-tuning afresh.
      kept.layers[0]!.curve[0]!["reconstructionError"] = -1
      writeFileSync(curves, JSON.stringify(kept))
      rmSync(join(folder, "checkpoint"), { recursive: true })
      rmSync(join(folder, "results.json"))
      const resumed = yield* resumePipeline(folder)
      assert.strictEqual(resumed.record.pretraining!.layers[0]!.curve[0]!["reconstructionError"], -1)
      // The weights were the kept ones, so fine-tuning is bit-identical to the uninterrupted run.
      assert.deepStrictEqual(resumed.record.epochs.map((e) => e.validationError), record.epochs.map((e) => e.validationError))
      assert.strictEqual(resumed.record.result.testError, record.result.testError)
    }).pipe(Effect.provide(NodeServices.layer)))

  it.live("an RBM-pre-trained sigmoid net fine-tunes to well under chance", () =>
    Effect.gen(function*() {
      const { record } = yield* run("mnist-sigmoid-rbm", temporaryFolder("rbm"))
      assert.strictEqual(record.pretraining?.layers[0]?.kind, "rbm")
      assert.strictEqual(record.pretraining?.activation, "sigmoid")
      assert.isBelow(record.result.testError, 0.6)
    }).pipe(Effect.provide(NodeServices.layer)))
})
