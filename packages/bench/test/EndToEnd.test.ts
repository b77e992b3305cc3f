import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { CliError } from "effect/cli"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { benchCommand } from "../src/BenchCommand.ts"
import { findTorchPython } from "../src/Torch.ts"
import { parse, runBench } from "./BenchCli.ts"

const leftovers = () => readdirSync(tmpdir()).filter((name) => name.startsWith("rectifier-bench-pipeline-"))

describe("bench pipeline", () => {
  it.effect("defaults: two epochs on 20k images at minibatch 10, 100 and 500, three rounds, one thread, PyTorch on", () =>
    Effect.gen(function*() {
      const { exit, options } = yield* parse(["pipeline"])
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(options, {
        command: "pipeline",
        batches: [10, 100, 500],
        trainSize: 20000,
        evalSize: undefined,
        epochs: 2,
        rounds: 3,
        threads: 1,
        seed: 1,
        torch: true,
        sparse: false,
        out: undefined
      })
      const { options: given } = yield* parse(["pipeline", "--threads", "2", "--eval-size", "500", "--no-torch", "--batches", "7", "--sparse"])
      assert(given?.command === "pipeline")
      assert.deepStrictEqual([given.threads, given.evalSize, given.torch, given.batches, given.sparse], [2, 500, false, [7], true])
    }))

  it.effect("sizes MNIST cannot give, and flags of other subcommands, are usage errors naming the flag", () =>
    Effect.gen(function*() {
      for (const [argv, flag, expected] of [
        [["pipeline", "--train-size", "50001"], "--train-size", "less than or equal to 50000"],
        [["pipeline", "--eval-size", "10001"], "--eval-size", "less than or equal to 10000"],
        [["pipeline", "--eval-size", "0"], "--eval-size", "positive decimal integer"],
        [["pipeline", "--epochs", "two"], "--epochs", "positive decimal integer"],
        [["pipeline", "--steps", "5"], "--steps", "Unrecognized"]
      ] as const) {
        const { exit, options } = yield* parse(argv)
        assert.isUndefined(options, argv.join(" "))
        const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
        assert.isTrue(CliError.isCliError(error), argv.join(" "))
        const text = error instanceof CliError.ShowHelp ? error.errors.map((e) => e.message).join("\n") : String(error)
        assert.include(text, flag)
        assert.include(text, expected)
      }
    }))

  it.live("times whole processes over interleaved rounds: per-round figures, the median of per-round ratios, the commands", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "bench-test-"))
      const before = leftovers()
      try {
        const out = join(dir, "pipeline.json")
        const { exit, lines } = yield* runBench(benchCommand, [
          "pipeline", "--batches", "50", "--train-size", "100", "--eval-size", "100", "--epochs", "1", "--rounds", "2",
          "--threads", "2", "--sparse", "--out", out
        ])
        assert.isTrue(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : ""))
        const record = JSON.parse(readFileSync(out, "utf8")) as {
          machine: { cpu: string; cores: number }
          rows: ReadonlyArray<{ batch: number; name: string; result: Record<string, unknown> }>
        }
        assert.isAbove(record.machine.cores, 0)
        const ours = record.rows.find((row) => row.name === "rectifier")!
        const seconds = ours.result["roundsWallSeconds"] as Array<number>
        assert.strictEqual(seconds.length, 2)
        for (const s of seconds) assert.isAbove(s, 0)
        // 100 test images: the error is a whole number of them, from a net that trained one epoch.
        const testError = ours.result["testError"] as number
        assert.strictEqual(Math.round(testError * 100), testError * 100)
        assert.include(ours.result["command"] as string, "pipeline mnist-relu --train-size 100 --eval-size 100 --epochs 1 --batch-size 50")
        assert.include(ours.result["command"] as string, "--threads 2")
        // --sparse: the same pipeline with its sparse products on, timed in the same rounds.
        const sparse = record.rows.find((row) => row.name === "rectifier-sparse")!
        assert.strictEqual((sparse.result["roundsWallSeconds"] as Array<number>).length, 2)
        assert.include(sparse.result["command"] as string, "--batch-size 50 --seed 1 --threads 2 --sparse-products")
        const printed = lines.join("\n").split("\n")
        assert.isTrue(printed.some((l) => l.startsWith("batch 50 rectifier round 2: ")), printed.join("\n"))
        assert.isTrue(printed.some((l) => l.includes("threads: 2, 100 training examples, 1 epochs, 2 rounds")), printed.join("\n"))
        if (findTorchPython() !== undefined) {
          const torch = record.rows.find((row) => row.name === "pytorch")!
          const theirs = torch.result["roundsWallSeconds"] as Array<number>
          const ratios = ours.result["roundRatios"] as Array<number>
          // PyTorch's seconds over ours within each round, then their median (two rounds: the mean).
          ratios.forEach((r, i) => assert.strictEqual(r, theirs[i]! / seconds[i]!))
          assert.strictEqual(ours.result["pairedRatio"], (ratios[0]! + ratios[1]!) / 2)
          assert.isAtLeast(torch.result["testError"] as number, 0)
          assert.include(torch.result["command"] as string, "pipeline_torch.py")
          assert.isTrue(printed.some((l) => /^\| 50 \| rectifier \(\w+\) \| [0-9.]+ \| [0-9.]+, [0-9.]+ \| [0-9.]+x \| [0-9.]+x, [0-9.]+x \| [0-9.]+% \|$/.test(l)), printed.join("\n"))
        }
        // Every run's folder was temporary.
        assert.deepStrictEqual(leftovers(), before)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }))
})
