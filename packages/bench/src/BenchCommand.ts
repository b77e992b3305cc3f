/**
 * `bench train` and `bench activations` (the app mounts `benchCommand` as
 * `rectifier bench`, which `pnpm run bench` runs): measures (Measure.ts),
 * prints the table and writes the command line, the options and every
 * round as JSON. A bad flag is the CLI module's usage error, naming it.
 */
import { describeError, writeFileAtomic } from "@rectifier/core"
import { Effect } from "effect"
import { CliError, Command } from "effect/cli"
import { join } from "node:path"
import { measureActivations, measureTrain } from "./Measure.ts"
import { activationFlags, activationOptions, type BenchOptions, trainFlags, trainOptions } from "./Options.ts"
import { formatTable } from "./Table.ts"

/** The command line as typed after `bench`, for the record (the CLI module hands over parsed values only). */
const commandLine = (): string => {
  const at = process.argv.indexOf("bench")
  return ["pnpm run bench", ...(at < 0 ? [] : process.argv.slice(at + 1))].join(" ")
}

const run = (options: BenchOptions) =>
  Effect.gen(function*() {
    const started = new Date()
    const rows = options.command === "train" ? yield* measureTrain(options) : yield* measureActivations(options)
    console.log(`\n${formatTable(options, rows)}`)
    const out = options.out ?? join("runs", "bench", `${options.command}-${started.toISOString().replace(/[:.]/g, "-")}.json`)
    const record = { command: commandLine(), started: started.toISOString(), options, rows }
    yield* writeFileAtomic(out, JSON.stringify(record, null, 2) + "\n").pipe(
      Effect.mapError((error) => new CliError.UserError({ cause: error, userMessage: `--out ${out}: ${describeError(error)}` }))
    )
    console.log(`results written to ${out}`)
  })

/** The command tree around `measure`, which receives the checked options (tests pass their own). */
export const makeBenchCommand = <E, R>(measure: (options: BenchOptions) => Effect.Effect<void, E, R>) =>
  Command.make("bench").pipe(
    Command.withDescription("Benchmarks of the tensor backends against PyTorch on the paper's network"),
    Command.withSubcommands([
      Command.make("train", trainFlags, (input) => measure(trainOptions(input))).pipe(
        Command.withDescription(
          "Samples/s training the 784-1000-1000-1000-10 rectifier MLP on each backend and on PyTorch, same weights and data"
        )
      ),
      Command.make("activations", activationFlags, (input) => measure(activationOptions(input))).pipe(
        Command.withDescription("Forward + backward elements/s of every activation on a 500x1000 tensor, per backend")
      )
    ])
  )

export const benchCommand = makeBenchCommand(run)
