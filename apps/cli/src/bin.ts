#!/usr/bin/env node
/** The `rectifier` command line: pipelines, datasets, golden records, verification and the results registry. */
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { datasetsCommand } from "@rectifier/datasets"
import { goldenCommand } from "@rectifier/golden"
import { pipelineCommand } from "./PipelineCommand.ts"
import { resultsCommand } from "./ResultsCommand.ts"
import { verifyCommand } from "./VerifyCommand.ts"

const root = Command.make("rectifier").pipe(
  Command.withDescription("Reproduce \"Deep Sparse Rectifier Neural Networks\" (Glorot, Bordes, Bengio 2011)"),
  Command.withSubcommands([pipelineCommand, datasetsCommand, goldenCommand, verifyCommand, resultsCommand])
)

root.pipe(
  Command.run({ version: "0.1.0" }),
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
