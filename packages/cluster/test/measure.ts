/**
 * The cluster's figures (docs/CLUSTER.md): a 12-run sweep (smoke, 6 seeds,
 * its 2 epochs on 500 examples, wasm) run locally one at a time, on one runner
 * and on two runners (one run at a time each), against a fresh PostgreSQL
 * each; the engine's overhead per run (one runner against local), the
 * speed-up of two runners over one, and the database's transactions
 * (`pg_stat_database.xact_commit`: each statement outside a transaction is
 * one round trip) per epoch trained, beside the idle rate of one runner.
 *
 *   pnpm exec node packages/cluster/test/measure.ts
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, type Postgres, psql, startPostgres } from "./Postgres.ts"
import { cli, type Runner, startRunner, stop } from "./Processes.ts"

const flags = ["smoke", "--seeds", "1,2,3,4,5,6"]
const epochs = 12 * 2
const temporary = (label: string) => mkdtempSync(join(tmpdir(), `rectifier-measure-${label}-`))

const commits = (pg: Postgres): number =>
  Number(execFileSync(psql, [pg.url, "-tAc",
    "SELECT sum(xact_commit) FROM pg_stat_database"], { encoding: "utf8" }).trim())

const timed = (args: ReadonlyArray<string>) => {
  const began = performance.now()
  const result = cli(args, 1_800_000)
  if (result.status !== 0) throw new Error(`exit ${result.status ?? result.signal}: ${result.stdout}${result.stderr}`)
  return (performance.now() - began) / 1000
}

const onCluster = async (runnerCount: number) => {
  const pg = await startPostgres()
  const runners: Array<Runner> = []
  try {
    const shared = temporary("shared")
    for (let i = 0; i < runnerCount; i++) runners.push(await startRunner(pg.url, shared, await freePort()))
    await new Promise((r) => setTimeout(r, 3000))
    const idleFrom = commits(pg)
    await new Promise((r) => setTimeout(r, 10_000))
    const idlePerSecond = (commits(pg) - idleFrom) / 10
    const from = commits(pg)
    const seconds = timed(["pipeline", ...flags, "--cluster", pg.url, "--out", shared])
    return { seconds, idlePerSecond, perEpoch: (commits(pg) - from) / epochs }
  } finally {
    for (const runner of runners) await stop(runner)
    pg.remove()
  }
}

const local = timed(["pipeline", ...flags, "--parallel", "1", "--out", temporary("local")])
console.log(`local sweep, one run at a time: ${local.toFixed(1)} s`)
const one = await onCluster(1)
console.log(`one runner:  ${one.seconds.toFixed(1)} s; overhead per run ${((one.seconds - local) / 12).toFixed(2)} s`)
const two = await onCluster(2)
console.log(`two runners: ${two.seconds.toFixed(1)} s; speed-up over one runner ${(one.seconds / two.seconds).toFixed(2)}x`)
console.log(
  `database transactions per epoch trained: ${one.perEpoch.toFixed(1)} (one runner), ${two.perEpoch.toFixed(1)} (two); ` +
    `idle: ${one.idlePerSecond.toFixed(1)}/s (one runner), ${two.idlePerSecond.toFixed(1)}/s (two)`
)
