/**
 * Sweeps on the cluster, end to end, against a real PostgreSQL: a small
 * sweep (the smoke preset, 6 epochs on 1000 examples, wasm) on three runner
 * processes, one SIGKILLed while it trains a run, finishes every run once
 * (the killed run resumes from its checkpoint on another runner), writes
 * the report, and leaves records equal to a local sweep's; so does a runner
 * drained with SIGTERM mid-run (a 50-epoch sweep, so that the run outlasts
 * the drain's grace period and is handed over); a database
 * stopped and restarted mid-sweep loses nothing either; runs that failed are
 * retried by the next submission.
 */
import { assert, describe, it } from "@effect/vitest"
import { comparable, type RunRecord } from "@rectifier/record"
import { Effect } from "effect"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, type Postgres, startPostgres } from "./Postgres.ts"
import { board, cli, type Runner, start, type Started, startRunner, stop, until } from "./Processes.ts"

const sweepFlags = ["smoke", "--epochs", "6", "--train-size", "1000"]
/**
 * A drained runner lets its run finish if it can within the grace period (`entityTerminationTimeout`,
 * 1 s) and hands it over only after; at 6 epochs of ~0.1 s a run signalled at its second epoch often
 * finishes first. At 50 epochs the run has seconds left when the signal lands, so it is handed over.
 */
const drainFlags = ["smoke", "--epochs", "50", "--train-size", "1000"]
const temporary = (label: string) => mkdtempSync(join(tmpdir(), `rectifier-cluster-${label}-`))

const record = (folder: string) => comparable(JSON.parse(readFileSync(join(folder, "results.json"), "utf8")) as RunRecord)
const runFolders = (sweep: string) =>
  readdirSync(sweep).filter((name) => existsSync(join(sweep, name, "config.json"))).sort()

/** The local sweeps the cluster's outcomes must equal, by flags (each computed once). */
const localSweeps = new Map<string, string>()
const local = (flags: ReadonlyArray<string>) => {
  const cached = localSweeps.get(flags.join(" "))
  if (cached !== undefined) return cached
  const out = temporary("local")
  const result = cli(["pipeline", ...flags, "--parallel", "2", "--out", out])
  assert.strictEqual(result.status, 0, result.stderr)
  localSweeps.set(flags.join(" "), join(out, "smoke"))
  return join(out, "smoke")
}

/** Every run of the cluster's sweep equals the local sweep of the same flags, and the report is there. */
const assertSameAsLocal = (shared: string, flags: ReadonlyArray<string> = sweepFlags) => {
  const expected = local(flags)
  const sweep = join(shared, "smoke")
  assert.deepStrictEqual(runFolders(sweep), runFolders(expected), "the same run folders (run identities)")
  for (const run of runFolders(expected)) {
    assert.deepStrictEqual(record(join(sweep, run)), record(join(expected, run)), `${run}: the same numbers`)
  }
  for (const file of ["report.html", "report.md", "summary.csv", "summary.json"]) {
    assert.isTrue(existsSync(join(sweep, file)), `${file} is written`)
  }
  const index = (folder: string) => JSON.parse(readFileSync(join(folder, "sweep.json"), "utf8")) as unknown
  assert.deepStrictEqual(index(sweep), index(expected), "the same sweep.json")
}

const withCluster = <A>(body: (pg: Postgres) => Promise<A>) =>
  Effect.promise(async () => {
    const pg = await startPostgres()
    try {
      return await body(pg)
    } finally {
      pg.remove()
    }
  })

/**
 * A taken-over run resumed rather than restarted: its new attempt's first epoch is past 1, or it had
 * no epoch left to train (the signal landed after the last epoch's checkpoint, before the record).
 */
const resumed = (row: { readonly firstEpoch: number | null }): boolean => row.firstEpoch === null || row.firstEpoch > 1

/** Sends `signal` to the runner of the first run past its second epoch; that runner, the run's key and the runner's exit. */
const signalMidRun = async (url: string, runners: ReadonlyArray<Runner>, signal: NodeJS.Signals) => {
  let hit: { readonly runner: string; readonly key: string; readonly exited: Promise<unknown> } | undefined
  await until("a run past its first epoch", async () => {
    const row = (await board(url)).find((r) => r.state === "running" && (r.epoch ?? 0) >= 2)
    const victim = runners.find((r) => r.address === row?.runner)
    if (row === undefined || victim === undefined) return false
    victim.child.kill(signal)
    hit = { runner: victim.address, key: row.key, exited: victim.exited }
    return true
  })
  return hit!
}

/**
 * `count` runners on a fresh shared runs folder, the sweep submitted to them, then `body`; the
 * runners are stopped however it ends.
 */
const sweepOnRunners = async (
  pg: Postgres,
  count: number,
  body: (sweep: { readonly shared: string; readonly runners: ReadonlyArray<Runner>; readonly submit: Started }) => Promise<void>,
  flags: ReadonlyArray<string> = sweepFlags
) => {
  const shared = temporary("shared")
  const runners: Array<Runner> = []
  try {
    for (let i = 0; i < count; i++) runners.push(await startRunner(pg.url, shared, await freePort()))
    const submit = start(["pipeline", ...flags, "--cluster", pg.url, "--out", shared])
    await body({ shared, runners, submit })
  } finally {
    for (const runner of runners) await stop(runner)
  }
}

describe("sweeps on the cluster (PostgreSQL, runner processes)", () => {
  it.live("a runner SIGKILLed mid-run: its run resumes elsewhere, every run finishes, equal to a local sweep", () =>
    withCluster((pg) =>
      sweepOnRunners(pg, 3, async ({ shared, runners, submit }) => {
        const killed = await signalMidRun(pg.url, runners, "SIGKILL")
        const submitted = await submit.exited
        assert.strictEqual(submitted.status, 0, submitted.stdout + submitted.stderr)
        assert.include(submitted.stdout, "4 runs (4 run now, 0 already finished or locked)")
        const rows = await board(pg.url)
        assert.strictEqual(rows.length, 4)
        for (const row of rows) {
          assert.strictEqual(row.state, "finished", row.name)
          if (row.key === killed.key) {
            assert.strictEqual(row.attempts, 2, `${row.name} ran again after the kill`)
            assert.notStrictEqual(row.runner, killed.runner, `${row.name} was taken over by another runner`)
            assert.isTrue(resumed(row), `${row.name} resumed from its checkpoint, not from the start (first epoch ${row.firstEpoch})`)
          } else if (row.attempts > 1) {
            // Another run may be trained again too (a loaded CI run saw one): when a runner leaves,
            // Effect's bounded-load hash ring can move shards between the survivors, stopping a run in
            // flight there. It must end on a live runner, with the local sweep's record (below).
            assert.notStrictEqual(row.runner, killed.runner, `${row.name} ran again, on a live runner`)
          } else {
            assert.strictEqual(row.attempts, 1, `${row.name} ran once`)
          }
        }
        assertSameAsLocal(shared)
        // Submitting again computes nothing: every run is finished.
        const again = cli(["pipeline", ...sweepFlags, "--cluster", pg.url, "--out", shared])
        assert.strictEqual(again.status, 0, again.stderr)
        assert.include(again.stdout, "4 runs (0 run now, 4 already finished or locked)")
        const status = cli(["cluster", "status", "--database", pg.url])
        assert.include(status.stdout, "3 runners:")
        assert.include(status.stdout, "4 runs:")
        assert.include(status.stdout, "(attempt 2)")
      })), 600_000)

  it.live("a runner drained with SIGTERM mid-run: its run resumes on the other runner, equal to a local sweep", () =>
    withCluster((pg) =>
      sweepOnRunners(pg, 2, async ({ shared, runners, submit }) => {
        const drained = await signalMidRun(pg.url, runners, "SIGTERM")
        await drained.exited
        const submitted = await submit.exited
        assert.strictEqual(submitted.status, 0, submitted.stdout + submitted.stderr)
        const row = (await board(pg.url)).find((r) => r.key === drained.key)!
        assert.strictEqual(row.state, "finished")
        assert.notStrictEqual(row.runner, drained.runner, "taken over by the other runner")
        assert.isTrue(resumed(row), `resumed from its checkpoint, not from the start (first epoch ${row.firstEpoch})`)
        assertSameAsLocal(shared, drainFlags)
      }, drainFlags)), 600_000)

  it.live("the database stopped and restarted mid-sweep: the sweep finishes, equal to a local sweep", () =>
    withCluster((pg) =>
      sweepOnRunners(pg, 2, async ({ shared, submit }) => {
        await until("a run past its first epoch", async () =>
          (await board(pg.url)).some((r) => r.state === "running" && (r.epoch ?? 0) >= 1))
        pg.stop()
        await new Promise((r) => setTimeout(r, 3000))
        pg.start()
        const submitted = await submit.exited
        assert.strictEqual(submitted.status, 0, submitted.stdout + submitted.stderr)
        assert.isTrue((await board(pg.url)).every((r) => r.state === "finished"))
        assertSameAsLocal(shared)
      })), 600_000)

  it.live("runs that failed (a runner with the wrong runs folder) are retried by the next submission", () =>
    withCluster(async (pg) => {
      const shared = temporary("shared")
      // A runner whose runs folder is not the share: `smoke` there is a file, so no run folder can be made.
      const wrong = temporary("wrong")
      writeFileSync(join(wrong, "smoke"), "not a folder\n")
      const quick = ["smoke", "--epochs", "1"]
      let runner = await startRunner(pg.url, wrong, await freePort())
      try {
        const failed = cli(["pipeline", ...quick, "--cluster", pg.url, "--out", shared])
        assert.notStrictEqual(failed.status, 0)
        assert.include(failed.stderr, "4 of 4 runs failed")
        assert.isTrue((await board(pg.url)).every((r) => r.state === "failed" && r.generation === 0))
        await stop(runner)
        runner = await startRunner(pg.url, shared, await freePort())
        const retried = cli(["pipeline", ...quick, "--cluster", pg.url, "--out", shared])
        assert.strictEqual(retried.status, 0, retried.stdout + retried.stderr)
        assert.include(retried.stdout, "4 runs (4 run now, 0 already finished or locked)")
        assert.isTrue((await board(pg.url)).every((r) => r.state === "finished" && r.generation === 1))
        assert.strictEqual(runFolders(join(shared, "smoke")).length, 4)
      } finally {
        await stop(runner)
      }
    }), 600_000)

  it.live("a password in --database is refused, naming the flag", () =>
    Effect.sync(() => {
      const result = cli(["cluster", "status", "--database", "postgres://user:secret@127.0.0.1:1/db"])
      assert.notStrictEqual(result.status, 0)
      assert.include(result.stderr + result.stdout, "--database")
      assert.include(result.stderr + result.stdout, "PGPASSWORD")
      assert.notInclude(result.stderr + result.stdout, "secret")
    }))
})
