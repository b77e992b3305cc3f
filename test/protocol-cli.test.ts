/**
 * The paper's protocol end to end, as a user runs it: a Table 1 sweep on a
 * small MNIST subset selects each cell's learning rate on its first seed
 * (every candidate recorded with its curve and verdict), its second seed
 * reuses the choice, run folders are named by configuration and numerics
 * version, records carry the commit, the results registry imports it and
 * generates a README table that catches hand edits, a rerun computes nothing,
 * and a record from another numerics version is refused, naming its folder.
 */
import { assert, describe, it } from "@effect/vitest"
import { NUMERICS_VERSION } from "@rectifier/core"
import { PAPER_LEARNING_RATES } from "@rectifier/train"
import type { RunRecord } from "@rectifier/record"
import { RESULTS_END, RESULTS_START, runKey } from "@rectifier/experiment"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { cli, repositoryRoot, temporaryFolder } from "./helpers.ts"

const flags = [
  "--train-size", "600", "--eval-size", "300", "--hidden", "24", "--epochs", "3",
  "--seeds", "1,2", "--parallel", "2", "--backend", "wasm"
]

const records = (sweep: string) =>
  readdirSync(sweep, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== "figures").map((e) => ({
    folder: e.name,
    record: JSON.parse(readFileSync(join(sweep, e.name, "results.json"), "utf8")) as RunRecord
  }))

describe("the paper protocol (CLI, end to end)", () => {
  it("README.md's results table is the one results/ generates", () => {
    const check = cli(["results", "readme", "--check"])
    assert.strictEqual(check.status, 0, check.stdout + check.stderr)
  })

  it.live("selects on the first seed, reuses on the others, keys runs by numerics version, refuses another's and reuses the registry's records", () =>
    Effect.sync(() => {
      const out = temporaryFolder("protocol")
      const first = cli(["pipeline", "table1-mnist-supervised", ...flags, "--out", out])
      assert.strictEqual(first.status, 0, first.stderr)
      const sweep = join(out, "table1-mnist-supervised")
      const runs = records(sweep)
      assert.strictEqual(runs.length, 6)
      const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repositoryRoot, encoding: "utf8" }).trim()
      for (const { folder, record } of runs) {
        assert.isTrue(folder.endsWith(`-${runKey(record.config, NUMERICS_VERSION)}`), folder)
        assert.strictEqual(record.environment.numericsVersion, NUMERICS_VERSION)
        assert.strictEqual(record.environment.commit, head)
        assert.isBoolean(record.environment.dirty)
      }
      for (const cell of ["rectifier", "tanh", "softplus"]) {
        const leader = runs.find((r) => r.record.config.seed === 1 && r.folder.startsWith(`${cell}-seed`))!.record
        const follower = runs.find((r) => r.record.config.seed === 2 && r.folder.startsWith(`${cell}-seed`))!.record
        const candidates = leader.result.learningRateCandidates!
        assert.deepStrictEqual(candidates.map((c) => c.learningRate), PAPER_LEARNING_RATES)
        assert.deepStrictEqual(leader.config.training.candidatePruning, { afterEpochs: 10, factor: 1.5 })
        assert.strictEqual(candidates.filter((c) => c.verdict!.kept).length, 1)
        const kept = candidates.find((c) => c.verdict!.kept)!
        assert.strictEqual(leader.result.learningRate, kept.learningRate)
        assert.strictEqual(leader.result.validationError, Math.min(...candidates.map((c) => c.validationError)))
        for (const c of candidates) {
          assert.strictEqual(c.curve!.length, c.epochsRun)
          assert.isString(c.stop!.detail)
        }
        // The follower trains the chosen rate alone, under the same stopping rules.
        assert.isUndefined(follower.config.training.learningRates)
        assert.isUndefined(follower.result.learningRateCandidates)
        assert.strictEqual(follower.config.training.learningRate, leader.result.learningRate)
        assert.strictEqual(follower.config.training.patience, 10)
      }
      const report = readFileSync(join(sweep, "report.md"), "utf8")
      assert.include(report, "## Learning-rate selection")
      assert.include(report, "selected on seed 1; seed 2 reuses these rates without selecting again")
      assert.include(report, "learning rate selected from {0.1, 0.01, 0.001, 0.0001} on validation error")

      // The registry: import the sweep, generate a README's table from it, and catch a hand edit.
      const registry = join(out, "results")
      const imported = cli(["results", "import", sweep, "--command", "pnpm run pipeline table1-mnist-supervised ...", "--results", registry])
      assert.strictEqual(imported.status, 0, imported.stderr)
      assert.include(imported.stdout, "imported 6 of 6 runs of table1-mnist-supervised")
      assert.isTrue(existsSync(join(registry, "table1-mnist-supervised", "report.html")))
      assert.strictEqual(readdirSync(join(registry, "table1-mnist-supervised", "runs")).length, 6)
      const readme = join(out, "README.md")
      writeFileSync(readme, `# x\n\n${RESULTS_START}\n${RESULTS_END}\n`)
      assert.strictEqual(cli(["results", "readme", "--check", "--readme", readme, "--results", registry]).status, 4)
      assert.strictEqual(cli(["results", "readme", "--readme", readme, "--results", registry]).status, 0)
      const table = readFileSync(readme, "utf8")
      const rectifiers = runs.filter((r) => r.folder.startsWith("rectifier-seed")).map((r) => r.record.result.testError)
      const mean = (rectifiers[0]! + rectifiers[1]!) / 2
      assert.include(table, `| rectifier | ${(100 * mean).toFixed(2)}% ± `)
      assert.include(table, "(n=2) | 1.43% |")
      assert.strictEqual(cli(["results", "readme", "--check", "--readme", readme, "--results", registry]).status, 0)
      writeFileSync(readme, table.replace("| rectifier |", "| rectifier (edited) |"))
      const edited = cli(["results", "readme", "--check", "--readme", readme, "--results", registry])
      assert.strictEqual(edited.status, 4)
      assert.include(edited.stdout + edited.stderr, "run `pnpm run results readme`")

      const again = cli(["pipeline", "table1-mnist-supervised", ...flags, "--out", out])
      assert.strictEqual(again.status, 0, again.stderr)
      assert.include(again.stdout, "6 runs (0 run now")

      // A fresh machine: an empty runs folder takes the registry's records instead of computing them.
      const fresh = temporaryFolder("protocol-restored")
      const reused = cli(["pipeline", "table1-mnist-supervised", ...flags, "--reuse-results", registry, "--out", fresh])
      assert.strictEqual(reused.status, 0, reused.stderr)
      assert.include(reused.stdout, "6 runs (0 run now")
      for (const { folder, record } of records(join(fresh, "table1-mnist-supervised"))) {
        assert.strictEqual(readFileSync(join(fresh, "table1-mnist-supervised", folder, "results.json"), "utf8"),
          readFileSync(join(registry, "table1-mnist-supervised", "runs", folder, "results.json"), "utf8"), record.description)
      }
      // Another pipeline's runs of the same configuration: Figure 3's L1 0.001 cell is Table 1's rectifier.
      const figure3 = temporaryFolder("protocol-reused")
      const l1 = cli(["pipeline", "l1-sweep", ...flags, "--cell", "L1 0.001", "--reuse-results", registry, "--out", figure3])
      assert.strictEqual(l1.status, 0, l1.stderr)
      assert.include(l1.stdout, "2 runs (0 run now")
      const reusedRuns = records(join(figure3, "l1-sweep"))
      assert.deepStrictEqual(
        reusedRuns.map((r) => r.record.result.testError).sort(),
        runs.filter((r) => r.folder.startsWith("rectifier-seed")).map((r) => r.record.result.testError).sort()
      )
      assert.strictEqual(l1.stdout.split(`reused ${join(registry, "table1-mnist-supervised", "runs")}`).length - 1, 2, l1.stdout)
      assert.include(l1.stdout + l1.stderr, "L1 0.001: no weights exported: its best run's record was reused")
      assert.notInclude(l1.stdout + l1.stderr, "WARN")
      // Imported, those runs show Figure 3's published numbers for the cell, not Table 1's that their records carry.
      const figure3Registry = join(figure3, "results")
      const figure3Import = cli(["results", "import", join(figure3, "l1-sweep"), "--command", "pnpm run pipeline l1-sweep", "--results", figure3Registry])
      assert.strictEqual(figure3Import.status, 0, figure3Import.stderr)
      assert.isTrue(reusedRuns.every((r) => r.record.pipeline === "table1-mnist-supervised"))
      const [l1Cell] = JSON.parse(readFileSync(join(figure3Registry, "l1-sweep", "entry.json"), "utf8")).cells
      assert.deepStrictEqual(
        [l1Cell.label, l1Cell.paperTestError, l1Cell.seedTestError, l1Cell.paperSparsity],
        ["L1 0.001", undefined, 0.0145, undefined]
      )
      const row = readFileSync(join(figure3Registry, "l1-sweep", "report.md"), "utf8").split("\n").find((l) => l.startsWith("| L1 0.001 |"))!
      assert.match(row, /^\| L1 0\.001 \| [^|]+ \| — \| 1\.45% \| [^|]+ \| — \| 60\.0% \|/)
      const nowhere = cli(["pipeline", "l1-sweep", ...flags, "--cell", "L1 0.001", "--reuse-results", join(figure3, "none"), "--out", figure3])
      assert.notStrictEqual(nowhere.status, 0)
      assert.include(nowhere.stdout + nowhere.stderr, join(figure3, "none"))
      // A record of other numerics is not reused (the sweep would refuse it): that run is computed again.
      const old = runs[0]!
      const registered = join(registry, "table1-mnist-supervised", "runs", old.folder, "results.json")
      writeFileSync(registered, JSON.stringify({ ...old.record, environment: { ...old.record.environment, numericsVersion: 998 } }))
      const other = temporaryFolder("protocol-other")
      const cell = old.record.description.split("Cell: ")[1]!.replace(/\.$/, "")
      const partial = cli(["pipeline", "table1-mnist-supervised", ...flags, "--cell", cell, "--reuse-results", registry, "--out", other])
      assert.strictEqual(partial.status, 0, partial.stderr)
      assert.include(partial.stdout, "2 runs (1 run now")
      const recomputed = records(join(other, "table1-mnist-supervised")).find((r) => r.folder === old.folder)!
      assert.strictEqual(recomputed.record.environment.numericsVersion, NUMERICS_VERSION)
      assert.strictEqual(recomputed.record.result.testError, old.record.result.testError)

      const stale = runs.find((r) => r.record.config.seed === 2)!
      const file = join(sweep, stale.folder, "results.json")
      writeFileSync(file, JSON.stringify({ ...stale.record, environment: { ...stale.record.environment, numericsVersion: 999 } }))
      const refused = cli(["pipeline", "table1-mnist-supervised", ...flags, "--out", out])
      assert.notStrictEqual(refused.status, 0)
      const said = refused.stdout + refused.stderr
      assert.include(said, stale.folder)
      assert.include(said, "numerics version 999")
    }))

  it.live("a leader that other seeds wait for runs before seeds that are ready", () =>
    Effect.sync(() => {
      const out = temporaryFolder("protocol-order")
      const small = ["--train-size", "300", "--eval-size", "200", "--hidden", "16", "--epochs", "2", "--backend", "wasm", "--parallel", "1"]
      const leader = cli(["pipeline", "table1-mnist-supervised", ...small, "--cell", "rectifier", "--seeds", "1", "--out", out])
      assert.strictEqual(leader.status, 0, leader.stderr)
      // Now rectifier's seed 2 is ready (its leader has selected) and tanh's seed 1 must select first.
      const both = cli(["pipeline", "table1-mnist-supervised", ...small, "--cell", "rectifier", "--cell", "tanh", "--seeds", "1,2", "--out", out])
      assert.strictEqual(both.status, 0, both.stderr)
      const sweep = join(out, "table1-mnist-supervised")
      const finishedAt = (prefix: string) => {
        const folder = readdirSync(sweep).find((name) => name.startsWith(prefix))!
        return statSync(join(sweep, folder, "results.json")).mtimeMs
      }
      assert.isBelow(finishedAt("tanh-seed1-"), finishedAt("rectifier-seed2-"))
      assert.isBelow(finishedAt("tanh-seed2-"), finishedAt("rectifier-seed2-"))

      // Sweeps of some cells keep one index for the pipeline: the import takes every cell's runs.
      const rest = cli(["pipeline", "table1-mnist-supervised", ...small, "--cell", "softplus", "--seeds", "1,2", "--out", out])
      assert.strictEqual(rest.status, 0, rest.stderr)
      const index = JSON.parse(readFileSync(join(sweep, "sweep.json"), "utf8")) as { planned: number; runs: Array<{ cell: string }> }
      assert.strictEqual(index.planned, 6)
      assert.deepStrictEqual(index.runs.map((r) => r.cell).sort(), ["rectifier", "rectifier", "softplus", "softplus", "tanh", "tanh"])
      const imported = cli(["results", "import", sweep, "--command", "three sweeps", "--results", join(out, "results")])
      assert.strictEqual(imported.status, 0, imported.stderr)
      assert.include(imported.stdout, "imported 6 of 6 runs")
      const entry = JSON.parse(readFileSync(join(out, "results", "table1-mnist-supervised", "entry.json"), "utf8")) as {
        cells: Array<{ label: string }>
      }
      assert.deepStrictEqual(entry.cells.map((c) => c.label), ["rectifier", "tanh", "softplus"])
    }))
})
