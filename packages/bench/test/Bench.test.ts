import { assert, describe, it } from "@effect/vitest"
import { family } from "@rectifier/activations"
import { addonBuilt } from "@rectifier/backend-native"
import { Cause, Effect, Exit } from "effect"
import { CliError } from "effect/cli"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { benchCommand } from "../src/BenchCommand.ts"
import { resultMarker } from "../src/Worker.ts"
import { readFloats, writeWorkload } from "../src/Workload.ts"
import { parse, runBench } from "./BenchCli.ts"

const parsedTrain = (argv: ReadonlyArray<string>) =>
  Effect.map(parse(argv), ({ exit, options }) => {
    assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
    assert(options?.command === "train")
    return options
  })

describe("bench options", () => {
  it.effect("defaults: native and wasm, minibatches 10/100/500, one thread, PyTorch on", () =>
    Effect.gen(function*() {
      const options = yield* parsedTrain(["train"])
      assert.deepStrictEqual(options.backends, ["native", "wasm"])
      assert.deepStrictEqual(options.batches, [10, 100, 500])
      assert.strictEqual(options.threads, 1)
      assert.isTrue(options.torch)
      assert.strictEqual(options.learningRate, 0.01)
      const { options: activations } = yield* parse(["activations"])
      assert.deepStrictEqual(activations, { command: "activations", backends: ["native", "wasm", "cpu"], threads: 1, out: undefined })
    }))

  it.effect("--learning-rate (or its alias --lr), --batches, --backends and --no-torch set the options", () =>
    Effect.gen(function*() {
      const options = yield* parsedTrain(["train", "--learning-rate", "0.5", "--batches", "7,20", "--backends", "cpu", "--no-torch"])
      assert.strictEqual(options.learningRate, 0.5)
      assert.deepStrictEqual(options.batches, [7, 20])
      assert.deepStrictEqual(options.backends, ["cpu"])
      assert.isFalse(options.torch)
      assert.isFalse(options.sparse)
      assert.strictEqual((yield* parsedTrain(["train", "--lr", "0.2"])).learningRate, 0.2)
      assert.isTrue((yield* parsedTrain(["train", "--sparse"])).sparse)
      assert.strictEqual(options.data, "uniform")
      assert.strictEqual((yield* parsedTrain(["train", "--data", "mnist"])).data, "mnist")
    }))

  it.effect("a bad flag value is a typed usage error naming the flag and what was expected", () =>
    Effect.gen(function*() {
      for (const [argv, flag, expected] of [
        [["train", "--steps", "0"], "--steps", "positive decimal integer"],
        [["train", "--steps", "1e3"], "--steps", "positive decimal integer"],
        [["train", "--batches", "10,0x20"], "--batches", "\"0x20\" is not a positive decimal integer"],
        [["train", "--batches", "10,,100"], "--batches", "positive decimal integer"],
        [["train", "--batches", "10,10"], "--batches", "10 is named twice"],
        [["train", "--backends", "native,gpu"], "--backends", "\"native\" | \"wasm\" | \"cpu\""],
        [["train", "--learning-rate", "0"], "--learning-rate", "greater than 0"],
        [["train", "--lr", "fast"], "--learning-rate", "number"],
        [["train", "--speed", "9"], "--speed", "Unrecognized"],
        [["activations", "--steps", "5"], "--steps", "Unrecognized"],
        [["train", "--data", "cifar"], "--data", "Expected: \"uniform\" | \"mnist\""],
        [["products", "--densities", "0.1,1.5"], "--densities", "\"1.5\" is not a decimal fraction in (0, 1]"],
        [["products", "--densities", "0"], "--densities", "decimal fraction"],
        [["products", "--steps", "5"], "--steps", "Unrecognized"],
        [["fly"], "fly", "Unknown subcommand"]
      ] as const) {
        const { exit, options } = yield* parse(argv)
        assert.isUndefined(options, argv.join(" "))
        assert.isTrue(Exit.isFailure(exit), argv.join(" "))
        // The CLI module's own error, which the app exits 2 for (apps/cli/src/ExitCode.ts), listing what went wrong.
        const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
        assert.isTrue(CliError.isCliError(error), argv.join(" "))
        const text = error instanceof CliError.ShowHelp ? error.errors.map((e) => e.message).join("\n") : String(error)
        assert.include(text, flag)
        assert.include(text, expected)
      }
    }))

  it.live("--learning-rate reaches the job: the bench's final loss is a worker's at that rate, not at the default", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "bench-test-"))
      try {
        const out = join(dir, "train.json")
        const { exit, lines } = yield* runBench(benchCommand, [
          "train", "--backends", "cpu", "--batches", "4", "--steps", "1", "--warmup", "1", "--rounds", "1",
          "--no-torch", "--learning-rate", "0.5", "--out", out
        ])
        assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
        assert.isTrue(lines.some((l) => l.includes("| batch | backend |")), lines.join("\n"))
        const record = JSON.parse(readFileSync(out, "utf8")) as {
          options: { learningRate: number }
          rows: ReadonlyArray<{ name: string; result: Record<string, unknown> }>
        }
        assert.strictEqual(record.options.learningRate, 0.5)
        assert.strictEqual(record.rows[0]?.name, "cpu")
        if (addonBuilt()) {
          // The sgemm ceiling runs in the same rounds, and the table gives every contender's share of it.
          const ceiling = record.rows.find((row) => row.name === "sgemm ceiling")
          assert.isAbove(ceiling?.result["samplesPerSecond"] as number, 0)
          const printed = lines.join("\n").split("\n")
          assert.isTrue(printed.some((l) => /^\| 4 \| cpu \|.*\| \d+% \|/.test(l)), printed.join("\n"))
          assert.isTrue(printed.some((l) => /^\| 4 \| 1\.00, 0\.\d\d, 0\.\d\d, 0\.\d\d \|/.test(l)), printed.join("\n"))
        }
        // The same workload (seed 1, 2 minibatches of 4) and step, run directly at 0.5 and at the default 0.01.
        const workload = mkdtempSync(join(dir, "workload-"))
        writeWorkload(workload, 1, 4, 2)
        const job = { kind: "train", backend: "cpu", threads: 1, dir: workload, batch: 4, batches: 2, steps: 1, warmup: 1 }
        assert.strictEqual(record.rows[0]!.result["finalLoss"], worker({ ...job, learningRate: 0.5 })["finalLoss"])
        assert.notStrictEqual(record.rows[0]!.result["finalLoss"], worker({ ...job, learningRate: 0.01 })["finalLoss"])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }))
})

describe.skipIf(!addonBuilt())("bench products", () => {
  it.live("times sgemm and the sparse products at each batch and density, in a table and the JSON", () =>
    Effect.gen(function*() {
      const { options } = yield* parse(["products"])
      assert.deepStrictEqual(options, {
        command: "products", batches: [10, 100, 500], densities: [0.05, 0.1, 0.2, 0.3, 0.5], reps: 10, threads: 1, out: undefined
      })
      const dir = mkdtempSync(join(tmpdir(), "bench-test-"))
      try {
        const out = join(dir, "products.json")
        const argv = ["products", "--batches", "2", "--densities", "0.05,1", "--reps", "1", "--out", out]
        const { exit, lines } = yield* runBench(benchCommand, argv)
        assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
        const record = JSON.parse(readFileSync(out, "utf8")) as { rows: ReadonlyArray<{ result: Record<string, unknown> }> }
        assert.deepStrictEqual(
          record.rows.map((row) => `${row.result["density"]} ${row.result["product"]}`),
          ["0.05 forward", "0.05 weight gradient", "0.05 input gradient", "1 forward", "1 weight gradient", "1 input gradient"]
        )
        for (const row of record.rows) {
          assert.isAbove(row.result["denseMs"] as number, 0)
          assert.isAbove(row.result["sparseMs"] as number, 0)
        }
        const printed = lines.join("\n").split("\n")
        assert.isTrue(printed.some((l) => /^\| 2 \| 0\.05 \| forward \| [0-9.]+ \| [0-9.]+ \| [0-9.]+x \|$/.test(l)), printed.join("\n"))
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }))
})

const worker = (job: object) => {
  const main = join(import.meta.dirname, "..", "src", "main.ts")
  const child = spawnSync(process.execPath, [main, "worker", JSON.stringify(job)], { encoding: "utf8" })
  const line = child.stdout.split("\n").find((l) => l.startsWith(resultMarker))
  assert.isDefined(line, child.stderr)
  return JSON.parse(line!.slice(resultMarker.length)) as Record<string, unknown>
}

describe("bench workload", () => {
  it("takes given examples (MNIST's) in order, cycling, with their labels one-hot", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-test-"))
    try {
      const inputs = Float32Array.from({ length: 3 * 784 }, (_, i) => (i % 5 === 0 ? (i % 7) / 7 : 0))
      const labels = Uint8Array.of(4, 0, 9)
      writeWorkload(dir, 1, 2, 2, { inputs, labels, count: 3 })
      const x = readFloats(join(dir, "x-2.f32"))
      const y = readFloats(join(dir, "y-2.f32"))
      assert.deepStrictEqual(Array.from(x.subarray(0, 3 * 784)), Array.from(inputs))
      assert.deepStrictEqual(Array.from(x.subarray(3 * 784)), Array.from(inputs.subarray(0, 784)))
      assert.deepStrictEqual([0, 1, 2, 3].map((r) => y.subarray(r * 10, r * 10 + 10).indexOf(1)), [4, 0, 9, 4])
      assert.strictEqual(y.reduce((s, v) => s + v, 0), 4)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("is the same bytes for the same seed and differs for another", () => {
    const dirs = [1, 1, 2].map(() => mkdtempSync(join(tmpdir(), "bench-test-")))
    try {
      dirs.forEach((dir, i) => writeWorkload(dir, i < 2 ? 5 : 6, 4, 2))
      for (const file of ["w0.f32", "w3.f32", "x-4.f32", "y-4.f32"]) {
        const [a, b, c] = dirs.map((dir) => readFileSync(join(dir, file)))
        assert.isTrue(a!.equals(b!), file)
        if (file !== "y-4.f32") assert.isFalse(a!.equals(c!), file)
      }
      const y = readFloats(join(dirs[0]!, "y-4.f32"))
      // One-hot rows: 8 rows of 10 classes, one 1 each.
      assert.strictEqual(y.reduce((s, v) => s + v, 0), 8)
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("bench worker", () => {
  it("measures forward + backward of every activation in the family, maxout's fewer outputs included", () => {
    const result = worker({ kind: "activations", backend: "cpu", threads: 1, rows: 4, columns: 12, reps: 1 })
    const speeds = result["elementsPerSecond"] as Record<string, number>
    assert.deepStrictEqual(Object.keys(speeds).sort(), Object.keys(family).sort())
    for (const [name, speed] of Object.entries(speeds)) assert.isAbove(speed, 0, name)
  })

  it("trains the trainer's MLP on a workload with a flat tensor count", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-test-"))
    try {
      writeWorkload(dir, 3, 4, 2)
      const result = worker({ kind: "train", backend: "cpu", threads: 1, dir, batch: 4, batches: 2, steps: 2, warmup: 1, learningRate: 0.01 })
      assert.isAbove(result["samplesPerSecond"] as number, 0)
      assert.isTrue(Number.isFinite(result["finalLoss"] as number))
      assert.strictEqual(result["tensorsAfter"], result["tensorsBefore"])
      // cpu has no fused dense layer: tfjs's fused product and the rectifier, op by op (over 110 kernels a step on cpu).
      assert.isAbove(result["kernelsPerStep"] as number, 110)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.skipIf(!addonBuilt())("on native, each layer is the fused dense layer: 37 kernels a step (tfjs's ops: 104)", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-test-"))
    try {
      writeWorkload(dir, 3, 4, 2)
      const result = worker({ kind: "train", backend: "native", threads: 1, dir, batch: 4, batches: 2, steps: 2, warmup: 1, learningRate: 0.01 })
      assert.strictEqual(result["kernelsPerStep"], 37)
      assert.strictEqual(result["tensorsAfter"], result["tensorsBefore"])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
