/**
 * The sweep end to end, as a user runs it: the smoke preset (2 cells x 2
 * seeds on an MNIST subset, wasm) is killed after its first run, resumed
 * without redoing that run, and leaves a report whose tables hold the runs'
 * numbers; the HTML report shows every figure in headless Chromium with no
 * console errors; `verify` reproduces one of the runs.
 */
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { readRunRecord } from "@rectifier/experiment"
import { summarize } from "@rectifier/report"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { cli, launchChromium, repositoryRoot, temporaryFolder } from "./helpers.ts"

const quick = ["--epochs", "1"]

/**
 * Starts the smoke sweep one run at a time, kills its whole process group once
 * the first run is done, and resolves when the killed process has been reaped
 * (until then its pid is still alive and its run lock still held).
 */
const runUntilFirstFinished = (out: string) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ["apps/cli/src/bin.ts", "pipeline", "smoke", ...quick, "--parallel", "1", "--out", out], {
      cwd: repositoryRoot,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let killed = false
    const timer = setTimeout(() => {
      process.kill(-child.pid!, "SIGKILL")
      reject(new Error(`no run finished in time:\n${stdout}`))
    }, 240_000)
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      if (!killed && stdout.includes("run 1/4 done")) {
        killed = true
        clearTimeout(timer)
        process.kill(-child.pid!, "SIGKILL")
      }
    })
    child.on("exit", () => {
      clearTimeout(timer)
      if (killed) resolve(stdout)
      else reject(new Error(`sweep exited early:\n${stdout}`))
    })
  })

const finishedRuns = (sweep: string) =>
  readdirSync(sweep).filter((name) => existsSync(join(sweep, name, "results.json")))

describe("sweeps (CLI, end to end)", () => {
  it.live("runs, resumes after a kill, reports the right numbers, renders in Chromium, and verifies", () =>
    Effect.gen(function*() {
      const out = temporaryFolder("sweep")
      const sweep = join(out, "smoke")
      yield* Effect.promise(() => runUntilFirstFinished(out))
      const first = finishedRuns(sweep)
      assert.strictEqual(first.length, 1, "exactly one run finished before the kill")
      const firstResults = join(sweep, first[0]!, "results.json")
      const firstTime = statSync(firstResults).mtimeMs

      const resumed = cli(["pipeline", "smoke", ...quick, "--parallel", "2", "--out", out])
      assert.strictEqual(resumed.status, 0, resumed.stderr)
      assert.include(resumed.stdout, "4 runs, 1 already finished")
      assert.include(resumed.stdout, "(3 run now, 1 already finished or locked)")
      assert.strictEqual(resumed.lastLine, sweep)
      assert.strictEqual(statSync(firstResults).mtimeMs, firstTime, "the finished run was not redone")
      const runs = finishedRuns(sweep)
      assert.strictEqual(runs.length, 4)
      assert.isFalse(runs.some((run) => existsSync(join(sweep, run, "run.lock"))), "locks are released")

      // A third call has nothing left to run.
      const again = cli(["pipeline", "smoke", ...quick, "--out", out])
      assert.include(again.stdout, "(0 run now, 4 already finished or locked)")

      // The report's tables hold the records' numbers.
      const records = yield* Effect.forEach(runs, (run) => readRunRecord(join(sweep, run)))
      const markdown = readFileSync(join(sweep, "report.md"), "utf8")
      for (const cell of ["rectifier", "tanh"]) {
        const errors = records.filter((r) =>
          (cell === "rectifier") === (r.config.training.activation === "rectifier-alternating")
        ).map((r) => r.result.testError)
        const s = summarize(errors)!
        assert.strictEqual(s.n, 2)
        assert.include(
          markdown,
          // Two seeds: the cell carries the too-few-seeds warning and enters no test.
          `| ${cell} | ${(100 * s.mean).toFixed(2)}% ± ${(100 * s.sd).toFixed(2)}% (n=2) ⚠ too few seeds | ` +
            `${cell === "rectifier" ? "1.43%" : "1.57%"} |`
        )
      }
      assert.match(markdown, /\| rectifier \| tanh \| -?\d+\.\d\d pp \| 2 \| .*too few seeds/)
      const figures = readdirSync(join(sweep, "figures")).sort()
      // The trainer's per-epoch diagnostics give the gradient-norm and activation-probability figures too.
      assert.deepStrictEqual(figures, [
        "activation-probabilities.png",
        "activations.png",
        "gradient-norms.png",
        "learning-curves.png",
        "sparsity-vs-error.png",
        "time-per-epoch.png",
        "training-cost.png"
      ])

      // The HTML report in a real browser: every figure drawn, no console errors.
      const browser = yield* Effect.promise(launchChromium)
      try {
        const page = yield* Effect.promise(() => browser.newPage())
        const problems: Array<string> = []
        page.on("console", (message) => {
          if (message.type() === "error") problems.push(message.text())
        })
        page.on("pageerror", (error) => problems.push(error.message))
        page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`))
        yield* Effect.promise(() => page.goto(`file://${join(sweep, "report.html")}`))
        const drawn = yield* Effect.promise(() =>
          page.$$eval("figure", (nodes) =>
            nodes.map((figure) => {
              const svg = figure.querySelector("svg")
              const box = svg?.getBoundingClientRect()
              return { id: figure.id, width: box?.width ?? 0, height: box?.height ?? 0, marks: svg?.querySelectorAll("path, line").length ?? 0 }
            }))
        )
        assert.deepStrictEqual(drawn.map((f) => f.id).sort(), figures.map((f) => f.replace(".png", "")))
        for (const figure of drawn) {
          assert.isAbove(figure.width, 100, figure.id)
          assert.isAbove(figure.height, 100, figure.id)
          assert.isAbove(figure.marks, 3, figure.id)
        }
        const tableText = yield* Effect.promise(() => page.textContent("table"))
        assert.include(tableText ?? "", "1.43%")
        const screenshot = join(out, "report.png")
        yield* Effect.promise(() => page.screenshot({ path: screenshot, fullPage: true }))
        assert.isAbove(statSync(screenshot).size, 10_000)
        assert.deepStrictEqual(problems, [])
      } finally {
        yield* Effect.promise(() => browser.close())
      }

      // verify re-runs a recorded run and finds it identical.
      const verified = cli(["verify", join(sweep, runs[0]!)])
      assert.strictEqual(verified.status, 0, verified.stdout + verified.stderr)
      assert.include(verified.stdout, "identical")

      // A record whose numbers were changed is caught, with a readable diff.
      const tampered = join(out, "tampered")
      cpSync(join(sweep, runs[0]!), tampered, { recursive: true })
      const original = JSON.parse(readFileSync(join(tampered, "results.json"), "utf8"))
      original.result.testError += 0.01
      writeFileSync(join(tampered, "results.json"), JSON.stringify(original))
      const caught = cli(["verify", tampered])
      assert.notStrictEqual(caught.status, 0)
      assert.include(caught.stdout + caught.stderr, "NOT identical: 1 field(s) differ")
      assert.include(caught.stdout + caught.stderr, `result.testError: recorded ${original.result.testError}`)
    }).pipe(Effect.provide(NodeServices.layer)), 400_000)

  it.live("--cell runs one cell of a sweep; the whole sweep then reuses its runs; an unknown cell is refused by name", () =>
    Effect.sync(() => {
      const out = temporaryFolder("sweep-cell")
      const flags = ["pipeline", "smoke", "--seeds", "1", "--epochs", "1", "--train-size", "200", "--eval-size", "100", "--out", out]
      const one = cli([...flags, "--cell", "tanh"])
      assert.strictEqual(one.status, 0, one.stderr)
      assert.deepStrictEqual(finishedRuns(join(out, "smoke")).map((name) => name.split("-seed")[0]), ["tanh"])
      const whole = cli(flags)
      assert.strictEqual(whole.status, 0, whole.stderr)
      assert.include(whole.stdout, "2 runs (1 run now, 1 already finished or locked)")
      assert.deepStrictEqual(finishedRuns(join(out, "smoke")).map((name) => name.split("-seed")[0]).sort(), ["rectifier", "tanh"])
      const unknown = cli([...flags, "--cell", "sigmoid"])
      assert.strictEqual(unknown.status, 2)
      assert.include(unknown.stderr, `--cell "sigmoid": pipeline "smoke" has no such cell; its cells: "rectifier", "tanh"`)
    }))

  it.live("a diverged run fails the sweep loudly, stays out of the statistics, and is not counted as finished", () =>
    Effect.sync(() => {
      const out = temporaryFolder("sweep-diverged")
      const flags = ["pipeline", "smoke", "--learning-rate", "1e30", "--seeds", "1,2", "--epochs", "1", "--parallel", "2", "--out", out]
      for (const attempt of [1, 2]) {
        const result = cli(flags)
        assert.strictEqual(result.status, 3, `attempt ${attempt}`)
        const said = result.stdout + result.stderr
        assert.include(said, "runs failed; the report leaves them out")
        assert.include(said, "rectifier, seed 1: diverged at epoch 1")
        const report = readFileSync(join(out, "smoke", "report.md"), "utf8")
        assert.include(report, "rectifier, seed 1: FAILED, diverged at epoch 1")
        assert.notInclude(report, "NaN%")
        // The rectifier cell has no finished run, so it has no mean to show.
        assert.match(report, /\| rectifier \| — /)
      }
    }))
})
