/**
 * `bench train`, `bench activations`, `bench products` and `bench pipeline` (the app mounts `benchCommand` as
 * `rectifier bench`, which `pnpm run bench` runs): measures (Measure.ts; for
 * `train` with native's OpenBLAS loaded here for the sgemm ceiling),
 * prints the table and writes the command line, the options and every
 * round as JSON. A bad flag is the CLI module's usage error, naming it.
 */
import { installHint, loadNativeBackend } from "@rectifier/backend-native"
import { describeError, writeFileAtomic } from "@rectifier/core"
import { loadMnist } from "@rectifier/datasets"
import { Effect } from "effect"
import { CliError, Command } from "effect/cli"
import { join } from "node:path"
import { machine, measurePipeline } from "./EndToEnd.ts"
import { measureActivations, measureTrain } from "./Measure.ts"
import {
  activationFlags,
  activationOptions,
  type BenchOptions,
  pipelineFlags,
  pipelineOptions,
  productFlags,
  productOptions,
  trainFlags,
  type TrainOptions,
  trainOptions
} from "./Options.ts"
import { measureProducts } from "./Products.ts"
import { formatTable } from "./Table.ts"
import { loadTrainedStart } from "./TrainedStart.ts"

/** The command line as typed after `bench`, for the record (the CLI module hands over parsed values only). */
const commandLine = (): string => {
  const at = process.argv.indexOf("bench")
  return ["pnpm run bench", ...(at < 0 ? [] : process.argv.slice(at + 1))].join(" ")
}

/** Native's OpenBLAS in this process, with the contenders' threads, for the sgemm ceiling; undefined where it cannot load. */
const ceilingBlas = (threads: number) =>
  Effect.tryPromise(() => loadNativeBackend({ threads })).pipe(
    Effect.map((loaded) => loaded.blas),
    Effect.orElseSucceed(() => undefined)
  )

/** MNIST's first training images for `--data mnist` (embedded, so nothing is downloaded); undefined for uniform data. */
const examplesFor = (options: TrainOptions) =>
  options.data === "uniform"
    ? Effect.succeed(undefined)
    : loadMnist({ trainSize: 1000, evaluationSize: 1000 }).pipe(
      Effect.map((data) => data.train),
      Effect.mapError((error) => new CliError.UserError({ cause: error, userMessage: `--data mnist: ${error.message}` }))
    )

/** The trained net `--weights` names, said on the console; undefined without the flag (fresh weights). */
const startFor = (options: TrainOptions) =>
  options.weights === undefined
    ? Effect.succeed(undefined)
    : loadTrainedStart(options.weights).pipe(
      Effect.tap((start) => Effect.sync(() => console.log(`starting from ${start.source} (${start.activation})`))),
      Effect.mapError((error) => new CliError.UserError({ cause: error, userMessage: error.message }))
    )

/** `bench products` measures the addon's own products: without it there is nothing to measure. */
const productBlas = (threads: number) =>
  Effect.flatMap(ceilingBlas(threads), (blas) =>
    blas === undefined
      ? Effect.fail(new CliError.UserError({ cause: undefined, userMessage: `bench products needs the native backend's addon; ${installHint}` }))
      : Effect.succeed(blas))

const measure = (options: BenchOptions) =>
  Effect.gen(function*() {
    switch (options.command) {
      case "train":
        return yield* measureTrain(options, yield* ceilingBlas(options.threads), yield* examplesFor(options), yield* startFor(options))
      case "products":
        return measureProducts(options, yield* productBlas(options.threads)).map((timing) => ({ name: timing.product, result: { ...timing } }))
      case "activations":
        return yield* measureActivations(options)
      case "pipeline":
        return measurePipeline(options)
    }
  })

const run = (options: BenchOptions) =>
  Effect.gen(function*() {
    const started = new Date()
    const rows = yield* measure(options)
    console.log(`\n${formatTable(options, rows)}`)
    const out = options.out ?? join("runs", "bench", `${options.command}-${started.toISOString().replace(/[:.]/g, "-")}.json`)
    const record = { command: commandLine(), started: started.toISOString(), machine: machine(), options, rows }
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
      ),
      Command.make("pipeline", pipelineFlags, (input) => measure(pipelineOptions(input))).pipe(
        Command.withDescription(
          "Wall time of whole processes: `pnpm run pipeline mnist-relu` against a PyTorch script with the same net and per-epoch evaluation"
        )
      ),
      Command.make("products", productFlags, (input) => measure(productOptions(input))).pipe(
        Command.withDescription(
          "The native backend's sparsity-aware products against sgemm on the step's shapes, at each density of the sparse operand"
        )
      )
    ])
  )

export const benchCommand = makeBenchCommand(run)
