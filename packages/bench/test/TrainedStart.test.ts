import { NodeServices } from "@effect/platform-node"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { addonBuilt } from "@rectifier/backend-native"
import { loadMnist } from "@rectifier/datasets"
import { writeWeights } from "@rectifier/train"
import { Cause, Effect, Exit, type FileSystem, type Path } from "effect"
import { CliError } from "effect/cli"
import { spawnSync } from "node:child_process"
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { benchCommand } from "../src/BenchCommand.ts"
import { loadTrainedStart } from "../src/TrainedStart.ts"
import { resultMarker } from "../src/Worker.ts"
import { writeWorkload } from "../src/Workload.ts"
import { runBench } from "./BenchCli.ts"

const root = join(import.meta.dirname, "..", "..", "..")
let dir = ""
let run = ""

// A small trained run of the flagship (784-1000-1000-1000-10, sign-alternating rectifier), as `pnpm run pipeline` writes it.
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bench-trained-"))
  const child = spawnSync(process.execPath, [
    join(root, "apps", "cli", "src", "bin.ts"), "pipeline", "mnist-relu", "--train-size", "200", "--eval-size", "100",
    "--epochs", "1", "--batch-size", "50", "--diagnostic-examples", "0", "--out", join(dir, "runs")
  ], { cwd: root, encoding: "utf8" })
  assert.strictEqual(child.status, 0, child.stderr)
  const pipeline = join(dir, "runs", "mnist-relu")
  run = join(pipeline, readdirSync(pipeline).find((name) => name.startsWith("mnist-relu-seed1-"))!)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const worker = (job: object) => {
  const child = spawnSync(process.execPath, [join(import.meta.dirname, "..", "src", "main.ts"), "worker", JSON.stringify(job)], { encoding: "utf8" })
  const line = child.stdout.split("\n").find((l) => l.startsWith(resultMarker))
  assert.isDefined(line, child.stderr)
  return JSON.parse(line!.slice(resultMarker.length)) as Record<string, unknown>
}

const provided = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem | Path.Path>) => effect.pipe(Effect.provide(NodeServices.layer))

describe("bench train --weights", () => {
  it.live("starts the step from a run folder's latest checkpoint, with the run's activation, and prints the layers' density", () =>
    Effect.gen(function*() {
      const out = join(dir, "train.json")
      const { exit, lines } = yield* runBench(benchCommand, [
        "train", "--weights", run, "--data", "mnist", "--backends", "cpu", "--batches", "4", "--steps", "1", "--warmup", "1",
        "--rounds", "1", "--no-torch", "--out", out
      ])
      assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
      const printed = lines.join("\n").split("\n")
      assert.isTrue(printed.some((l) => l.startsWith(`starting from ${run}/checkpoint/lr-0.01, epoch 1 (rectifier-alternating)`)), printed.join("\n"))
      const record = JSON.parse(readFileSync(out, "utf8")) as {
        options: { weights: string }
        rows: ReadonlyArray<{ name: string; result: Record<string, unknown> }>
      }
      assert.strictEqual(record.options.weights, run)
      // MNIST's pixels (about a fifth nonzero), then the trained hidden layers, as the sgemm ceiling's forward pass measured them.
      if (addonBuilt()) assert.isTrue(printed.some((l) => /^\| 4 \| 0\.\d\d, 0\.\d\d, 0\.\d\d, 0\.\d\d \|/.test(l)), printed.join("\n"))
      // The same step, run directly on the same MNIST minibatches: from the checkpoint's weights, not from fresh ones.
      const start = yield* provided(loadTrainedStart(run))
      assert.strictEqual(start.activation, "rectifier-alternating")
      const mnist = yield* loadMnist({ trainSize: 1000, evaluationSize: 1000 })
      const job = { kind: "train", backend: "cpu", threads: 1, batch: 4, batches: 2, steps: 1, warmup: 1, learningRate: 0.01 }
      const [trained, fresh] = [mkdtempSync(join(dir, "w-")), mkdtempSync(join(dir, "w-"))]
      writeWorkload(trained, 1, 4, 2, mnist.train, start)
      writeWorkload(fresh, 1, 4, 2, mnist.train)
      const loss = record.rows.find((row) => row.name === "cpu")!.result["finalLoss"]
      assert.strictEqual(loss, worker({ ...job, dir: trained })["finalLoss"])
      assert.notStrictEqual(loss, worker({ ...job, dir: fresh })["finalLoss"])
    }))

  it.live.skipIf(!addonBuilt())("--flush-subnormals adds native-flush and pytorch-flush; a softplus start trains on native both ways", () =>
    Effect.gen(function*() {
      const out = join(dir, "flush.json")
      const { exit } = yield* runBench(benchCommand, [
        "train", "--weights", run, "--data", "mnist", "--backends", "native", "--flush-subnormals", "--batches", "4",
        "--steps", "1", "--warmup", "1", "--rounds", "1", "--out", out
      ])
      assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
      const rows = (JSON.parse(readFileSync(out, "utf8")) as { rows: ReadonlyArray<{ name: string; result: Record<string, unknown> }> }).rows
      const row = (name: string) => rows.find((r) => r.name === name)?.result
      assert.include(String((row("native-flush")!["details"] as Record<string, unknown>)["subnormals"]), "flushed to zero")
      // Two steps of a net that has not fitted anything meet no subnormal: flushing changes no number.
      assert.strictEqual(row("native-flush")!["finalLoss"], row("native")!["finalLoss"])
      if (row("pytorch") !== undefined) assert.strictEqual(row("pytorch-flush")!["finalLoss"], row("pytorch")!["finalLoss"])
      // Table 1's softplus (and tanh) nets are steps the bench has too.
      const start = yield* provided(loadTrainedStart(run))
      const mnist = yield* loadMnist({ trainSize: 1000, evaluationSize: 1000 })
      const softplus = mkdtempSync(join(dir, "softplus-"))
      writeWorkload(softplus, 1, 4, 2, mnist.train, { weights: start.weights, activation: "softplus" })
      const job = { kind: "train", backend: "native", threads: 1, batch: 4, batches: 2, steps: 1, warmup: 1, learningRate: 0.01, dir: softplus }
      const [kept, flushed] = [worker(job), worker({ ...job, flushSubnormals: true })]
      assert.isTrue(Number.isFinite(kept["finalLoss"]))
      assert.strictEqual(flushed["finalLoss"], kept["finalLoss"])
    }))

  it.live("takes a weights base too (a checkpoint's best), with the activation of the run folder above it", () =>
    Effect.gen(function*() {
      const epoch = join(run, "checkpoint", "lr-0.01", "epoch-0001")
      const start = yield* provided(loadTrainedStart(join(epoch, "best")))
      assert.strictEqual(start.activation, "rectifier-alternating")
      assert.strictEqual(start.source, join(epoch, "best"))
      assert.deepStrictEqual(start.weights.layers.map((l) => [l.fanIn, l.fanOut]), [[784, 1000], [1000, 1000], [1000, 1000], [1000, 10]])
      // Outside any run folder a weights base is taken as a rectifier net.
      const loose = join(dir, "loose")
      yield* provided(writeWeights(loose, start.weights))
      assert.strictEqual((yield* provided(loadTrainedStart(loose))).activation, "rectifier")
    }))

  it.live("a path that gives no usable start is a usage error naming --weights, the path and why", () =>
    Effect.gen(function*() {
      const start = yield* provided(loadTrainedStart(run))
      const small = join(dir, "small")
      yield* provided(writeWeights(small, { layers: start.weights.layers.slice(2) }))
      const twoRates = join(dir, "two-rates")
      cpSync(run, twoRates, { recursive: true })
      cpSync(join(twoRates, "checkpoint", "lr-0.01"), join(twoRates, "checkpoint", "lr-0.1"), { recursive: true })
      for (const [path, expected] of [
        [join(dir, "nowhere"), "is neither a weights base"],
        [small, "is a 1000-1000-10 net; the bench trains 784-1000-1000-1000-10"],
        [twoRates, "holds checkpoints of 2 learning rates (lr-0.01, lr-0.1)"]
      ] as const) {
        const { exit } = yield* runBench(benchCommand, ["train", "--weights", path, "--backends", "cpu", "--no-torch"])
        const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
        assert.isTrue(CliError.isCliError(error), path)
        assert.include(String(error), `--weights ${path}: ${expected}`)
      }
    }))
})
