import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { readRunRecord } from "@rectifier/experiment"
import type { RunRecord } from "@rectifier/record"
import { Effect } from "effect"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { cli, temporaryFolder } from "./helpers.ts"

const quick = ["--epochs", "2", "--learning-rate", "0.05", "--train-size", "600", "--eval-size", "300", "--hidden", "64,64", "--backend", "wasm"]

describe("pnpm run pipeline (CLI, end to end)", () => {
  it.live("runs mnist-relu on a subset and leaves a valid record and a report", () =>
    Effect.gen(function*() {
      const out = temporaryFolder("cli")
      const run = cli(["pipeline", "mnist-relu", ...quick, "--out", out])
      assert.strictEqual(run.status, 0, run.stderr)
      assert.match(run.stdout, /epoch 1\/2 .* ETA/)
      const folder = run.lastLine
      assert.isTrue(folder.startsWith(out), `last line is the run folder, got ${folder}`)
      const record = yield* readRunRecord(folder)
      assert.strictEqual(record.pipeline, "mnist-relu")
      assert.strictEqual(record.config.training.activation, "rectifier-alternating")
      assert.deepStrictEqual(record.config.training.hiddenLayers, [64, 64])
      assert.strictEqual(record.epochs.length, 2)
      assert.isBelow(record.result.testError, 0.5)
      assert.strictEqual(record.environment.backend.name, "wasm")
      const report = readFileSync(join(folder, "report.md"), "utf8")
      assert.include(report, "| test error | " + (100 * record.result.testError).toFixed(2) + "% | 1.43% | 1.43% |")
      assert.include(report, "83.4%")
      assert.include(report, "Not directly comparable")
    }).pipe(Effect.provide(NodeServices.layer)))

  it.live("lists the named pipelines", () =>
    Effect.sync(() => {
      const run = cli(["pipeline", "--list"])
      assert.strictEqual(run.status, 0)
      assert.include(run.stdout, "mnist-relu")
      assert.include(run.stdout, "mnist-tanh")
    }))

  it.live("rejects an unknown pipeline and bad flag values with a message and a non-zero exit", () =>
    Effect.sync(() => {
      const out = temporaryFolder("cli-bad")
      const unknown = cli(["pipeline", "mnist-relux", "--out", out])
      // Usage errors exit 2 (apps/cli/src/ExitCode.ts).
      assert.strictEqual(unknown.status, 2)
      assert.include(unknown.stdout + unknown.stderr, "unknown pipeline \"mnist-relux\"")
      const badNumber = cli(["pipeline", "mnist-relu", "--epochs", "many", "--out", out])
      assert.strictEqual(badNumber.status, 2)
      assert.include(badNumber.stdout + badNumber.stderr, "--epochs")
      const outOfRange = cli(["pipeline", "mnist-relu", "--train-size", "60000", "--out", out])
      assert.notStrictEqual(outOfRange.status, 0)
      assert.include(outOfRange.stdout + outOfRange.stderr, "trainSize")
      const badBackend = cli(["pipeline", "mnist-relu", "--backend", "gpu", "--out", out])
      assert.notStrictEqual(badBackend.status, 0)
      assert.include(badBackend.stdout + badBackend.stderr, "--backend")
      assert.isFalse(existsSync(join(out, "mnist-relu")))
    }))

  it.live("refuses flags that would be misread or silently dropped, naming the flag, and runs nothing", () =>
    Effect.sync(() => {
      const out = temporaryFolder("cli-conflicts")
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["--seeds", "1,1"], "seed 1 is named twice"],
        [["--hidden", "0x20"], "--hidden"],
        [["--hidden", "0,5"], "every width must be at least 1"],
        [["--parallel", "0"], "--parallel"],
        [["--select-learning-rate", "--learning-rates", "0.1"], "--select-learning-rate and --learning-rates"],
        [["--learning-rate", "0.1", "--learning-rates", "0.1,0.01"], "--learning-rate fixes one rate"],
        [["--pretrain-epochs", "2"], "mnist-relu pre-trains nothing"]
      ]
      for (const [flags, message] of cases) {
        const result = cli(["pipeline", "mnist-relu", ...flags, "--epochs", "1", "--out", out])
        assert.strictEqual(result.status, 2, flags.join(" "))
        assert.include(result.stdout + result.stderr, message)
      }
      assert.deepStrictEqual(readdirSync(out), [])
    }))

  it.live("a finite blow-up (learning rate 100) is flagged as having learned nothing, in the record, report and exit code", () =>
    Effect.sync(() => {
      const out = temporaryFolder("cli-blowup")
      const run = cli(["pipeline", "mnist-relu", "--learning-rate", "100", "--epochs", "1", "--train-size", "500",
        "--eval-size", "200", "--hidden", "32", "--backend", "wasm", "--out", out])
      assert.strictEqual(run.status, 3)
      assert.include(run.stdout + run.stderr, "the net blew up and learned nothing")
      const folder = join(out, readdirSync(out)[0]!)
      const record = JSON.parse(readFileSync(join(folder, "results.json"), "utf8")) as RunRecord
      assert.isUndefined(record.result.diverged)
      assert.include(record.result.stalled, "within 10% of chance")
      assert.include(readFileSync(join(folder, "report.md"), "utf8"), "**The net learned nothing**")
    }))

  it.live("a failure outside the CLI's own errors still prints one line and exits 1", () =>
    Effect.sync(() => {
      const huge = cli(["pipeline", "mnist-relu", "--hidden", "100000000", "--epochs", "1", "--train-size", "100",
        "--eval-size", "100", "--backend", "cpu", "--out", temporaryFolder("cli-huge")])
      assert.strictEqual(huge.status, 1)
      assert.match(huge.stderr, /^error: .*allocation failed/m)
    }))
})
