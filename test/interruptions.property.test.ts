/**
 * A property over faults a sweep meets in practice: whatever moment it is
 * SIGKILLed at (after N epochs), whether its workers die with it or are left
 * orphaned, and whichever second sweep runs beside it or beside its resume,
 * the records it finally holds equal those of an uninterrupted sweep, no
 * two processes ever write one run folder at once (a writing worker's title
 * names its folder; /proc is sampled every 50 ms), no lock is left behind
 * and no worker outlives its sweep. fast-check draws the
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
const processesFor = (out: string): Array<number> => commandLines().filter(([, argv]) => argv.includes(out)).map(([pid]) => pid)

const commandLines = (): Array<[number, string]> =>
  readdirSync("/proc").filter((name) => /^\d+$/.test(name)).flatMap((name): Array<[number, string]> => {
    try {
      return [[Number(name), readFileSync(`/proc/${name}/cmdline`, "utf8")]]
    } catch {
      return []
    }
  })

const parentOf = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
  } catch {
    return undefined
  }
}

/**
 * Watches for two processes writing one run folder at once: a worker that
 * writes sets its title to "rectifier worker: <folder>". Returns a stop
 * function giving every folder seen with two writers.
 */
const watchWriters = (out: string) => {
  const overlaps = new Set<string>()
  const timer = setInterval(() => {
    const writers = new Map<string, Set<number>>()
    for (const [pid, argv] of commandLines()) {
      const title = /^rectifier worker: (\S+?)\u0000*$/.exec(argv)
      if (title === null || !title[1]!.startsWith(out)) continue
      writers.set(title[1]!, (writers.get(title[1]!) ?? new Set()).add(pid))
    }
    for (const [folder, pids] of writers) {
      // A worker's own children (git, a renderer) start as copies of it, title included: not other writers.
      const independent = [...pids].filter((pid) => !pids.has(parentOf(pid) ?? -1))
      if (independent.length > 1) overlaps.add(`${folder}: ${independent.join(", ")}`)
    }
  }, 50)
  return () => {
    clearInterval(timer)
    return [...overlaps]
  }
}

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
        const stopWatching = watchWriters(out)
        const first = startSweep(out, parallel)
        const beside = second === "with-first" ? startSweep(out, parallel) : undefined
        const reached = await until(() => progress(out) >= killAfter && runFolders(out).length > 0, 120_000)
        assert.isTrue(reached, "the sweep made progress")
        process.kill(killGroup ? -first.child.pid! : first.child.pid!, "SIGKILL")
        await first.done
        // Resumed at once, while an orphaned worker may still be finishing: its lock must keep the resume off.
        const resumed = startSweep(out, parallel)
        const other = second === "with-resume" ? startSweep(out, parallel) : undefined
        const results = await Promise.all([resumed.done, other?.done, beside?.done])
        for (const result of results) if (result !== undefined) assert.strictEqual(result.code, 0, result.stdout + result.stderr)
        // No worker outlives its sweep (an orphan exits on its own within seconds).
        const orphansGone = await until(() => processesFor(out).length === 0, 15_000)
        assert.isTrue(orphansGone, `processes left: ${processesFor(out).join(", ")}`)
        // Whatever the resume skipped (locked by an orphan that has exited since) a last call finishes.
        const last = await startSweep(out, parallel).done
        assert.strictEqual(last.code, 0, last.stdout + last.stderr)
        assert.deepStrictEqual(stopWatching(), [], "never two writers on one run folder")

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
