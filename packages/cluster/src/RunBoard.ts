/**
 * The board every runner and submitter reads: one row per run of a cluster
 * sweep in `rectifier_runs` (PostgreSQL), keyed by the run identity, with its
 * state (queued, running, finished, failed), the runner that holds it, its
 * attempts, the first and last epoch the current attempt reported and when it changed. The engine's own tables hold
 * the durable messages; this table is only what people and the submitter's
 * progress display look at, so losing a row loses no run.
 */
import { Effect, Layer, Schema } from "effect"
import { Context } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

export const RunState = Schema.Literals(["queued", "running", "finished", "failed"])
export type RunState = typeof RunState.Type

export const BoardRow = Schema.Struct({
  key: Schema.String,
  pipeline: Schema.String,
  name: Schema.String,
  state: RunState,
  runner: Schema.NullOr(Schema.String),
  attempts: Schema.Int,
  /** Failed submissions before this one: a failed run is submitted again as a new workflow (SweepRunWorkflow.ts). */
  generation: Schema.Int,
  epoch: Schema.NullOr(Schema.Int),
  /** The first epoch the current attempt reported: above 1 when it resumed from a checkpoint. */
  firstEpoch: Schema.NullOr(Schema.Int),
  epochs: Schema.NullOr(Schema.Int),
  validationError: Schema.NullOr(Schema.Number),
  reason: Schema.NullOr(Schema.String),
  updatedAt: Schema.String
})
export type BoardRow = typeof BoardRow.Type

const decodeRows = Schema.decodeUnknownEffect(Schema.Array(BoardRow))

export class RunBoard extends Context.Service<RunBoard, {
  /** Puts a run on the board (again, after a failure); its generation. */
  readonly queued: (run: { readonly key: string; readonly pipeline: string; readonly name: string }) => Effect.Effect<number>
  readonly started: (key: string, runner: string) => Effect.Effect<void>
  readonly epoch: (key: string, epoch: number, epochs: number, validationError: number) => Effect.Effect<void>
  readonly ended: (key: string, state: "finished" | "failed", reason: string | undefined) => Effect.Effect<void>
  readonly list: (pipeline?: string) => Effect.Effect<ReadonlyArray<BoardRow>>
}>()("@rectifier/cluster/RunBoard") {
  static readonly layer = Layer.effect(this, Effect.gen(function*() {
    const sql = yield* SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS rectifier_runs (
      key TEXT PRIMARY KEY,
      pipeline TEXT NOT NULL,
      name TEXT NOT NULL,
      state TEXT NOT NULL,
      runner TEXT,
      attempts INT NOT NULL DEFAULT 0,
      generation INT NOT NULL DEFAULT 0,
      epoch INT,
      first_epoch INT,
      epochs INT,
      validation_error DOUBLE PRECISION,
      reason TEXT,
      updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    )`
    // The board is advisory: a failed write (the database restarting) is logged, never fails a run.
    const quietly = <A, E>(label: string, effect: Effect.Effect<A, E>) =>
      effect.pipe(Effect.asVoid, Effect.catchCause((cause) => Effect.logDebug(`run board: ${label} not written`, cause)))
    return {
      queued: Effect.fn("RunBoard.queued")(function*(run) {
        const rows = yield* sql<{ readonly generation: number }>`INSERT INTO rectifier_runs (key, pipeline, name, state)
          VALUES (${run.key}, ${run.pipeline}, ${run.name}, 'queued')
          ON CONFLICT (key) DO UPDATE SET state = 'queued', reason = NULL, updated_at = NOW(),
            generation = rectifier_runs.generation + 1
          WHERE rectifier_runs.state = 'failed'
          RETURNING generation`
        if (rows.length > 0) return rows[0]!.generation
        const current = yield* sql<{ readonly generation: number }>`SELECT generation FROM rectifier_runs WHERE key = ${run.key}`
        return current[0]?.generation ?? 0
      }, Effect.orDie),
      started: Effect.fn("RunBoard.started")(function*(key, runner) {
        yield* quietly("started", sql`UPDATE rectifier_runs SET state = 'running', runner = ${runner}, attempts = attempts + 1,
          epoch = NULL, first_epoch = NULL,
          updated_at = NOW() WHERE key = ${key}`)
      }),
      epoch: Effect.fn("RunBoard.epoch")(function*(key, epoch, epochs, validationError) {
        yield* quietly("epoch", sql`UPDATE rectifier_runs SET epoch = ${epoch}, first_epoch = COALESCE(first_epoch, ${epoch}), epochs = ${epochs},
          validation_error = ${validationError}, updated_at = NOW() WHERE key = ${key}`)
      }),
      ended: Effect.fn("RunBoard.ended")(function*(key, state, reason) {
        yield* quietly("ended", sql`UPDATE rectifier_runs SET state = ${state}, reason = ${reason ?? null},
          updated_at = NOW() WHERE key = ${key}`)
      }),
      list: Effect.fn("RunBoard.list")(function*(pipeline) {
        const rows = yield* sql`SELECT key, pipeline, name, state, runner, attempts, generation, epoch, first_epoch AS "firstEpoch", epochs,
            validation_error AS "validationError", reason, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "updatedAt"
          FROM rectifier_runs ${pipeline === undefined ? sql`` : sql`WHERE pipeline = ${pipeline}`} ORDER BY pipeline, name`.pipe(
          Effect.catchCause(() => Effect.succeed([]))
        )
        return yield* decodeRows(rows).pipe(Effect.orDie)
      })
    }
  }))
}
