import { assert, describe, it } from "@effect/vitest"
import { family } from "@rectifier/activations"
import { Effect, Exit } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseOptions } from "../src/Options.ts"
import { resultMarker } from "../src/Worker.ts"
import { readFloats, writeWorkload } from "../src/Workload.ts"

describe("bench options", () => {
  it.effect("defaults: native and wasm, minibatches 10/100/500, one thread, PyTorch on", () =>
    Effect.gen(function*() {
      const options = yield* parseOptions(["train"])
      assert.deepStrictEqual(options.backends, ["native", "wasm"])
      assert.deepStrictEqual(options.batches, [10, 100, 500])
      assert.strictEqual(options.threads, 1)
      assert.isTrue(options.torch)
    }))

  it.effect("a bad flag value is a typed error naming the flag and what was expected", () =>
    Effect.gen(function*() {
      for (const [argv, flag] of [
        [["train", "--steps", "0"], "--steps"],
        [["train", "--backends", "native,gpu"], "--backends"],
        [["train", "--speed", "9"], "--speed"],
        [["fly"], "the command"]
      ] as const) {
        const exit = yield* Effect.exit(parseOptions(argv))
        assert.isTrue(Exit.isFailure(exit))
        const text = String(Exit.isFailure(exit) ? exit.cause : "")
        assert.include(text, "BenchUsageError")
        assert.include(text, flag)
      }
    }))
})

describe("bench workload", () => {
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
  const worker = (job: object) => {
    const main = join(import.meta.dirname, "..", "src", "main.ts")
    const child = spawnSync(process.execPath, [main, "worker", JSON.stringify(job)], { encoding: "utf8" })
    const line = child.stdout.split("\n").find((l) => l.startsWith(resultMarker))
    assert.isDefined(line, child.stderr)
    return JSON.parse(line!.slice(resultMarker.length)) as Record<string, unknown>
  }

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
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
