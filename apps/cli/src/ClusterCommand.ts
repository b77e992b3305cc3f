/**
 * `cluster runner` joins a cluster and runs the sweep runs assigned to it
 * until stopped; `cluster status` lists the runners and the runs. Both take
 * `--database <postgres url>` without a password (PGPASSWORD carries it).
 */
import { checkDatabaseUrl, clusterStatus, databaseLayer, RunBoard, runnerLayer } from "@rectifier/cluster"
import { describeError } from "@rectifier/core"
import { Console, Effect, Layer, Option, References, Schema } from "effect"
import { CliError, Command, Flag } from "effect/cli"
import { resolve } from "node:path"

const database = Flag.String("database").pipe(
  Flag.withDescription("the cluster's PostgreSQL, postgres://user@host:port/database (no password: set PGPASSWORD)")
)

const asUserError = (error: { readonly message: string }) =>
  error instanceof CliError.UserError ? error : new CliError.UserError({ cause: error, userMessage: describeError(error) })

const runner = Command.make("runner", {
  database,
  runsDir: Flag.String("runs-dir").pipe(
    Flag.withDescription("the shared runs folder (the submitter's --out), as mounted on this machine"),
    Flag.withDefault("runs")
  ),
  parallel: Flag.Int("parallel").pipe(
    Flag.withDescription("runs at once on this machine, each in its own process (default 1)"),
    Flag.withSchema(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
    Flag.withDefault(1)
  ),
  host: Flag.String("host").pipe(
    Flag.withDescription("the address other runners and submitters reach this runner at"),
    Flag.withDefault("127.0.0.1")
  ),
  port: Flag.Int("port").pipe(Flag.withDescription("the port this runner listens on"), Flag.withDefault(34431)),
  dataDir: Flag.String("data-dir").pipe(Flag.withDescription("this machine's dataset cache folder"), Flag.optional)
}, (input) =>
  Effect.gen(function*() {
    const url = yield* checkDatabaseUrl("--database", input.database)
    const layer = runnerLayer({
      host: input.host,
      port: input.port,
      runsDir: resolve(input.runsDir),
      parallel: input.parallel,
      ...(Option.isSome(input.dataDir) ? { data: { dataDir: input.dataDir.value } } : {})
    }).pipe(Layer.provide(databaseLayer(url)))
    yield* Effect.scoped(Effect.gen(function*() {
      yield* Layer.build(layer)
      yield* Console.log(`runner ${input.host}:${input.port} joined the cluster at ${url.host}, ${input.parallel} at once`)
      return yield* Effect.never
      // The engine's notices (listening, shards acquired) stay out of the output; warnings still show.
    }).pipe(Effect.provideService(References.MinimumLogLevel, "Warn")))
  }).pipe(Effect.mapError(asUserError))).pipe(
    Command.withDescription("Join the cluster and run the sweep runs it assigns to this machine, until stopped")
  )

const status = Command.make("status", { database }, (input) =>
  Effect.gen(function*() {
    const url = yield* checkDatabaseUrl("--database", input.database)
    const { lines } = yield* clusterStatus().pipe(Effect.provide(RunBoard.layer), Effect.provide(databaseLayer(url)))
    yield* Console.log(lines.join("\n"))
  }).pipe(Effect.mapError(asUserError))).pipe(Command.withDescription("List the cluster's runners and runs with their state"))

export const clusterCommand = Command.make("cluster").pipe(
  Command.withDescription("Sweeps across machines: runners on Effect Cluster over PostgreSQL (see docs/CLUSTER.md)"),
  Command.withSubcommands([runner, status])
)
