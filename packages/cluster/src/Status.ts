/**
 * `cluster status`: the runners the engine knows (its runner table: address,
 * health, last heartbeat) and every run on the board with its state, runner,
 * attempts and last epoch, as lines of text.
 */
import { Effect, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { RunBoard } from "./RunBoard.ts"

const RunnerRow = Schema.Struct({ address: Schema.String, healthy: Schema.Boolean, heartbeat: Schema.String })

export const clusterStatus = Effect.fn("Cluster.status")(function*() {
  const sql = yield* SqlClient
  const board = yield* RunBoard
  const runners = yield* sql`SELECT address, healthy,
      to_char(last_heartbeat, 'YYYY-MM-DD"T"HH24:MI:SS') AS heartbeat FROM cluster_runners ORDER BY address`.pipe(
    Effect.flatMap(Schema.decodeUnknownEffect(Schema.Array(RunnerRow))),
    // No runner has ever started: the engine has not created its tables.
    Effect.catchTag("SqlError", () => Effect.succeed([]))
  )
  const runs = yield* board.list()
  const lines = [
    `${runners.length} runner${runners.length === 1 ? "" : "s"}:`,
    ...runners.map((r) => `  ${r.address}  ${r.healthy ? "healthy" : "unhealthy"}  last heartbeat ${r.heartbeat}`),
    `${runs.length} run${runs.length === 1 ? "" : "s"}:`,
    ...runs.map((r) =>
      `  ${r.pipeline}  ${r.name}  ${r.key}  ${r.state}` +
      (r.runner === null ? "" : ` on ${r.runner}`) +
      (r.attempts > 1 ? ` (attempt ${r.attempts})` : "") +
      (r.epoch === null ? "" : `  epoch ${r.epoch}/${r.epochs}`) +
      (r.firstEpoch !== null && r.firstEpoch > 1 ? ` (resumed at epoch ${r.firstEpoch})` : "") +
      (r.reason === null ? "" : `  ${r.reason.split("\n")[0]}`)
    )
  ]
  return { runners, runs, lines }
})
