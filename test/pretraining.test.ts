import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { findPreset, resolveConfig, resumePipeline, runPipeline } from "@rectifier/experiment"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { cli, comparableRecord, repositoryRoot, runFolders, temporaryFolder } from "./helpers.ts"

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

describe("a run killed during pre-training (CLI)", () => {
  const flags = [
    "--hidden", "48,48", "--train-size", "2000", "--eval-size", "200", "--epochs", "1", "--pretrain-epochs", "4",
    "--learning-rate", "0.05", "--backend", "wasm", "--seed", "3"
  ]

  /** Starts the run and SIGKILLs it as soon as its first pre-trained layer is kept; the run folder. */
  const killAfterFirstLayer = (out: string) =>
    Effect.promise(() =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ["apps/cli/src/bin.ts", "pipeline", "mnist-relu-dae", ...flags, "--out", out], {
          cwd: repositoryRoot,
          stdio: "ignore"
        })
        const poll = setInterval(() => {
          const folders = runFolders(out, "mnist-relu-dae")
          if (folders.length !== 1 || !existsSync(join(folders[0]!, "pretrained", "layers", "layer-1", "state.json"))) return
          child.kill("SIGKILL")
          clearInterval(poll)
          resolve(folders[0]!)
        }, 5)
        child.on("exit", (code) => {
          clearInterval(poll)
          if (code !== null) reject(new Error(`the run ended by itself (exit ${code}) before it could be killed`))
        })
      })
    )

  it.live("resumes at the second layer, keeping the first, and ends with the uninterrupted run's record", () =>
    Effect.gen(function*() {
      const folder = yield* killAfterFirstLayer(temporaryFolder("pretrain-killed"))
      const layers = join(folder, "pretrained", "layers")
      assert.isFalse(existsSync(join(layers, "layer-2", "state.json")), "killed before the second layer finished")
      assert.isFalse(existsSync(join(folder, "pretrained", "curves.json")))
      const kept = JSON.parse(readFileSync(join(layers, "layer-1", "state.json"), "utf8")) as {
        layer: { curve: Array<{ seconds: number }> }
      }

      const resumed = cli(["pipeline", "mnist-relu-dae", "--resume", folder])
      assert.strictEqual(resumed.status, 0, resumed.stderr)
      const record = JSON.parse(readFileSync(join(folder, "results.json"), "utf8"))
      // The first layer was taken as kept, not trained again: its curve carries the killed run's timings.
      assert.deepStrictEqual(record.pretraining.layers[0].curve.map((e: { seconds: number }) => e.seconds),
        kept.layer.curve.map((e) => e.seconds))
      assert.isFalse(existsSync(layers), "the layers are dropped once the stack is complete")

      const clean = cli(["pipeline", "mnist-relu-dae", ...flags, "--out", temporaryFolder("pretrain-uninterrupted")])
      assert.strictEqual(clean.status, 0, clean.stderr)
      assert.deepStrictEqual(comparableRecord(folder), comparableRecord(clean.lastLine))
    }))
})
