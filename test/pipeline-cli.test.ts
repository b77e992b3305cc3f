import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { readRunRecord } from "@rectifier/experiment"
import type { RunRecord } from "@rectifier/record"
import { Effect } from "effect"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { cli, runFolders, temporaryFolder } from "./helpers.ts"

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

  it.live("a single run is a sweep of one: keyed like the sweep's runs, and a finished configuration is reused, not rerun", () =>
    Effect.gen(function*() {
      const out = temporaryFolder("cli-one")
      const flags = ["pipeline", "mnist-relu", ...quick.slice(2), "--epochs", "1", "--out", out]
      const first = cli(flags)
      assert.strictEqual(first.status, 0, first.stderr)
      const folder = first.lastLine
      assert.match(folder, new RegExp(`^${out}/mnist-relu/mnist-relu-seed1-[0-9a-f]{12}$`))
      assert.notInclude(first.stdout, "already finished")
      const written = readFileSync(join(folder, "results.json"), "utf8")
      // The sweep's report beside the run, as for any sweep.
      const sweepIndex = JSON.parse(readFileSync(join(out, "mnist-relu", "sweep.json"), "utf8")) as { runs: Array<{ folder: string }> }
      assert.deepStrictEqual(sweepIndex.runs.map((r) => join(out, "mnist-relu", r.folder)), [folder])
      assert.isTrue(existsSync(join(out, "mnist-relu", "summary.csv")))

      const again = cli([...flags, "--json"])
      assert.strictEqual(again.status, 0, again.stderr)
      assert.include(again.stderr, `already finished: ${folder}`)
      const outcome = JSON.parse(again.stdout) as { folder: string; alreadyFinished: boolean; testError: number }
      assert.strictEqual(outcome.folder, folder)
      assert.isTrue(outcome.alreadyFinished)
      assert.strictEqual(readFileSync(join(folder, "results.json"), "utf8"), written, "the record was not rewritten")
      assert.strictEqual(outcome.testError, (yield* readRunRecord(folder)).result.testError)

      // The same configuration asked for as a sweep over its seed is the same run.
      const sweep = cli([...flags, "--seeds", "1"])
      assert.strictEqual(sweep.status, 0, sweep.stderr)
      assert.include(sweep.stdout, "1 runs (0 run now, 1 already finished or locked)")
      assert.deepStrictEqual(runFolders(out, "mnist-relu"), [folder])
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
      const folder = runFolders(out, "mnist-relu")[0]!
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

describe("pnpm run pipeline: configuration files, the resolved configuration, machine-readable output", () => {
  it.live("--config (YAML or JSON) sets the configuration, flags win over it, and --print-config shows the result", () =>
    Effect.sync(() => {
      const folder = temporaryFolder("cli-config")
      const yaml = join(folder, "quick.yaml")
      writeFileSync(yaml, "training:\n  epochs: 7\n  hiddenLayers: [48, 24]\ndataset:\n  trainSize: 300\nseed: 5\n")
      const printed = cli(["pipeline", "mnist-relu", "--config", yaml, "--epochs", "3", "--print-config"])
      assert.strictEqual(printed.status, 0, printed.stderr)
      const { config } = JSON.parse(printed.stdout) as { config: RunRecord["config"] }
      assert.strictEqual(config.training.epochs, 3, "the flag wins over the file")
      assert.deepStrictEqual(config.training.hiddenLayers, [48, 24])
      assert.strictEqual(config.dataset.trainSize, 300)
      assert.strictEqual(config.seed, 5)
      assert.strictEqual(config.training.activation, "rectifier-alternating", "the preset's own values stay")
      const json = join(folder, "paper.json")
      writeFileSync(json, JSON.stringify({ protocol: "shortcut", training: { l1Penalty: 0.01 } }))
      const sweep = cli(["pipeline", "table1-mnist-supervised", "--config", json, "--seeds", "1,2", "--print-config"])
      assert.strictEqual(sweep.status, 0, sweep.stderr)
      const { runs } = JSON.parse(sweep.stdout) as { runs: ReadonlyArray<{ cell: string; seed: number; config: RunRecord["config"] }> }
      assert.deepStrictEqual(runs.map((r) => `${r.cell}/${r.seed}`), ["rectifier/1", "rectifier/2", "tanh/1", "tanh/2", "softplus/1", "softplus/2"])
      assert.isTrue(runs.every((r) => r.config.training.l1Penalty === 0.01))
      assert.deepStrictEqual(readdirSync(folder).sort(), ["paper.json", "quick.yaml"], "nothing ran")
    }))

  it.live("--sparse-products and --flush-subnormals go into the configuration, so the run is a distinct one", () =>
    Effect.sync(() => {
      const plain = cli(["pipeline", "mnist-relu", "--print-config"])
      const folder = temporaryFolder("cli-sparse-bad")
      for (const [flag, field, value] of [["--sparse-products", "sparseProducts", "auto"], ["--flush-subnormals", "subnormals", "flush"]] as const) {
        const printed = cli(["pipeline", "mnist-relu", flag, "--print-config"])
        assert.strictEqual(printed.status, 0, printed.stderr)
        assert.strictEqual((JSON.parse(printed.stdout) as { config: RunRecord["config"] }).config[field], value)
        assert.notProperty((JSON.parse(plain.stdout) as { config: RunRecord["config"] }).config, field)
        const file = join(folder, `${field}.json`)
        writeFileSync(file, JSON.stringify({ [field]: "yes" }))
        const bad = cli(["pipeline", "mnist-relu", "--config", file, "--print-config"])
        assert.strictEqual(bad.status, 2)
        assert.include(bad.stderr + bad.stdout, field)
      }
    }))

  it.live("--symmetric-inputs sets dataset.inputs (a distinct run) and is refused where a cell is pre-trained", () =>
    Effect.sync(() => {
      const printed = cli(["pipeline", "table1-mnist", "--cell", "tanh", "--seeds", "1", "--symmetric-inputs", "--print-config"])
      assert.strictEqual(printed.status, 0, printed.stderr)
      const { runs } = JSON.parse(printed.stdout) as { runs: ReadonlyArray<{ config: RunRecord["config"] }> }
      assert.deepStrictEqual(runs.map((r) => r.config.dataset.inputs), ["symmetric"])
      const pretrained = cli(["pipeline", "table1-mnist", "--symmetric-inputs", "--print-config"])
      assert.strictEqual(pretrained.status, 2)
      assert.include(pretrained.stderr + pretrained.stdout, "dataset.inputs")
      assert.include(pretrained.stderr + pretrained.stdout, "cannot be pre-trained")
    }))

  it.live("--pretrain-epochs reaches every pre-trained cell of a sweep, and only those", () =>
    Effect.sync(() => {
      const printed = cli(["pipeline", "table1-mnist", "--seeds", "1", "--pretrain-epochs", "2", "--print-config"])
      assert.strictEqual(printed.status, 0, printed.stderr)
      const { runs } = JSON.parse(printed.stdout) as { runs: ReadonlyArray<{ cell: string; config: RunRecord["config"] }> }
      assert.deepStrictEqual(
        runs.map((r) => [r.cell, r.config.pretraining?.kind, r.config.pretraining?.epochs]),
        [["rectifier", undefined, undefined], ["tanh", undefined, undefined], ["softplus", undefined, undefined],
          ["rectifier, pre-trained", "dae", 2], ["tanh, pre-trained", "dae", 2], ["softplus, pre-trained", "dae", 2]]
      )
    }))

  it.live("a bad value is reported against its flag or file and field, with what was expected", () =>
    Effect.sync(() => {
      const folder = temporaryFolder("cli-config-bad")
      const flags = cli(["pipeline", "mnist-relu", "--epochs", "0", "--momentum", "2", "--out", folder])
      assert.strictEqual(flags.status, 2)
      assert.include(flags.stderr + flags.stdout, "--epochs (training.epochs): Expected a value greater than 0")
      assert.include(flags.stderr + flags.stdout, "--momentum (training.momentum): Expected a value less than 1")
      const file = join(folder, "typo.json")
      writeFileSync(file, JSON.stringify({ training: { epochz: 3 } }))
      const typo = cli(["pipeline", "mnist-relu", "--config", file, "--out", folder])
      assert.strictEqual(typo.status, 2)
      assert.include(typo.stderr + typo.stdout, `invalid configuration in --config ${file}`)
      assert.include(typo.stderr + typo.stdout, "training.epochz: unknown field")
      assert.deepStrictEqual(readdirSync(folder), ["typo.json"])
    }))

  it.live("--json prints one JSON document on stdout, the people's text on stderr; the header describes what runs", () =>
    Effect.sync(() => {
      const out = temporaryFolder("cli-json")
      const run = cli(["pipeline", "mnist-relu", ...quick.slice(0, -4), "--hidden", "40,20", "--backend", "wasm", "--json", "--out", out])
      assert.strictEqual(run.status, 0, run.stderr)
      const outcome = JSON.parse(run.stdout) as { kind: string; folder: string; testError: number; record: string }
      assert.strictEqual(outcome.kind, "run")
      const record = JSON.parse(readFileSync(outcome.record, "utf8")) as RunRecord
      assert.strictEqual(outcome.testError, record.result.testError)
      assert.include(run.stderr, "mnist-relu: MLP, hidden layers 40,20, rectifier-alternating, lr 0.05")
      assert.match(run.stderr, /epoch 2\/2 .* ETA/)
      assert.notInclude(run.stdout, "epoch 1/2")
    }))
})
