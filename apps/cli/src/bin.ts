#!/usr/bin/env node
/** The `rectifier` command line: pipelines, datasets, golden records, verification, the results registry, the benchmarks and the cluster. */
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Cause, Console, Effect } from "effect"
import { CliError, Command } from "effect/cli"
import { benchCommand } from "@rectifier/bench"
import { describeError } from "@rectifier/core"
import { datasetsCommand } from "@rectifier/datasets"
import { goldenCommand } from "@rectifier/experiment"
import { clusterCommand } from "./ClusterCommand.ts"
import { Exited, exitCodeOf } from "./ExitCode.ts"
import { pipelineCommand } from "./PipelineCommand.ts"
import { resultsCommand } from "./ResultsCommand.ts"
import { verifyCommand } from "./VerifyCommand.ts"

const root = Command.make("rectifier").pipe(
  Command.withDescription("Reproduce \"Deep Sparse Rectifier Neural Networks\" (Glorot, Bordes, Bengio 2011)"),
  Command.withSubcommands([pipelineCommand, datasetsCommand, goldenCommand, verifyCommand, resultsCommand, benchCommand, clusterCommand])
)

/**
 * Errors the CLI module reports itself (usage errors and every `UserError`)
 * are printed by `Command.run`; anything else (a defect such as an
 * allocation failure, or an error without a user message) would exit 1
 * silently, so it is printed here as one line, the full cause with --verbose.
 */
const reportUnreported = (cause: Cause.Cause<unknown>) => {
  const error = Cause.squash(cause)
  const printed = CliError.isCliError(error) || (typeof error === "object" && error !== null && CliError.userMessage in error)
  if (printed) return Effect.void
  const line = describeError(error)
  return Console.error(process.argv.includes("--verbose") ? Cause.pretty(cause) : `error: ${line.split("\n")[0]}`)
}

root.pipe(
  Command.run({ version: "0.1.0" }),
  Effect.tapCause(reportUnreported),
  // Reported already; what is left is the exit code of its kind (ExitCode.ts). Defects keep exit 1.
  Effect.mapError((error) => new Exited({ code: exitCodeOf(error) })),
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
