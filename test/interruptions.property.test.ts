/**
 * A property over faults a sweep meets in practice: whatever moment it is
 * SIGKILLed at (after N epochs), whether its workers die with it or are left
 * orphaned, and whichever second sweep runs beside it or beside its resume,
 * the records it finally holds equal those of an uninterrupted sweep, no
 * lock is left behind and no worker outlives its sweep. fast-check draws the
 * interleavings from a fixed seed, so a failure names a reproducible case.
 */
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { comparableRecord, repositoryRoot, temporaryFolder } from "./helpers.ts"

const sweepFlags = [
  "--seeds", "1,2", "--epochs", "2", "--train-size", "200", "--eval-size", "100", "--backend", "wasm"
]
const epochsPerRun = 2

interface Sweep {
  readonly child: ChildProcess
  readonly done: Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>
}

/** Starts `pipeline smoke` over `out` in its own process group. */
const startSweep = (out: string, parallel: number): Sweep => {
  const child = spawn(process.execPath, ["apps/cli/src/bin.ts", "pipeline", "smoke", ...sweepFlags, "--parallel", String(parallel), "--out", out], {
    cwd: repositoryRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr }))
  )
  return { child, done }
}

const runFolders = (out: string) => {
  const base = join(out, "smoke")
  return existsSync(base) ? readdirSync(base).filter((name) => existsSync(join(base, name, "config.json"))) : []
}

/** Epochs completed so far over the sweep's runs (a finished run counts all of its epochs). */
const progress = (out: string): number =>
  runFolders(out).reduce((sum, name) => {
    const folder = join(out, "smoke", name)
    if (existsSync(join(folder, "results.json"))) return sum + epochsPerRun
    const checkpoint = join(folder, "checkpoint")
    if (!existsSync(checkpoint)) return sum
    let latest = 0
    for (const lr of readdirSync(checkpoint)) {
      try {
        latest = Math.max(latest, Number(/epoch-(\d+)/.exec(readFileSync(join(checkpoint, lr, "latest.json"), "utf8"))?.[1] ?? 0))
      } catch {
        // not written yet
      }
    }
    return sum + latest
  }, 0)

const until = (condition: () => boolean, timeoutMs: number) =>
  new Promise<boolean>((resolve) => {
    const started = Date.now()
    const poll = setInterval(() => {
      if (condition() || Date.now() - started > timeoutMs) {
        clearInterval(poll)
        resolve(condition())
      }
    }, 5)
  })

/** Pids of processes whose command line mentions `out` (the sweeps and workers of one scenario). */
const processesFor = (out: string): Array<number> =>
  readdirSync("/proc").filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      return readFileSync(`/proc/${name}/cmdline`, "utf8").includes(out) ? [Number(name)] : []
    } catch {
      return []
    }
  })

const scenario = fc.record({
  /** Epochs completed (over all runs) when the first sweep is killed: 0 = during start-up. */
  killAfter: fc.integer({ min: 0, max: 3 }),
  /** SIGKILL the sweep's whole process group, or the sweep alone (its workers are orphaned). */
  killGroup: fc.boolean(),
  /** Where a second sweep over the same folder runs: beside the first, beside the resume, or nowhere. */
  second: fc.constantFrom("with-first" as const, "with-resume" as const, "none" as const),
  parallel: fc.constantFrom(1, 2)
})

describe("interrupted and concurrent sweeps (property, CLI)", () => {
  it("SIGKILL at any epoch, resume and a concurrent second sweep leave the uninterrupted records", { timeout: 600_000 }, async () => {
    const referenceOut = temporaryFolder("property-reference")
    const reference = await startSweep(referenceOut, 2).done
    assert.strictEqual(reference.code, 0, reference.stderr)
    const expected = new Map(runFolders(referenceOut).map((name) => [name, comparableRecord(join(referenceOut, "smoke", name))]))
    assert.strictEqual(expected.size, 4)

    await fc.assert(
      fc.asyncProperty(scenario, async ({ killAfter, killGroup, parallel, second }) => {
        const out = temporaryFolder("property")
        const first = startSweep(out, parallel)
        const beside = second === "with-first" ? startSweep(out, parallel) : undefined
        const reached = await until(() => progress(out) >= killAfter && runFolders(out).length > 0, 120_000)
        assert.isTrue(reached, "the sweep made progress")
        process.kill(killGroup ? -first.child.pid! : first.child.pid!, "SIGKILL")
        await first.done
        if (beside !== undefined) assert.strictEqual((await beside.done).code, 0, "the second sweep finishes cleanly")
        // No worker outlives its sweep (an orphan exits on its own within seconds).
        const orphansGone = await until(() => processesFor(out).length === 0, 15_000)
        assert.isTrue(orphansGone, `processes left: ${processesFor(out).join(", ")}`)

        const resumed = startSweep(out, parallel)
        const other = second === "with-resume" ? startSweep(out, parallel) : undefined
        const result = await resumed.done
        assert.strictEqual(result.code, 0, result.stdout + result.stderr)
        if (other !== undefined) assert.strictEqual((await other.done).code, 0)

        const folders = runFolders(out)
        assert.deepStrictEqual([...folders].sort(), [...expected.keys()].sort())
        for (const name of folders) {
          const folder = join(out, "smoke", name)
          assert.isFalse(existsSync(join(folder, "run.lock")), `${name}: lock released`)
          assert.deepStrictEqual(comparableRecord(folder), expected.get(name), `${name}: the uninterrupted record`)
        }
      }),
      { numRuns: 3, seed: 16, endOnFailure: true, verbose: 2 }
    )
  })
})
