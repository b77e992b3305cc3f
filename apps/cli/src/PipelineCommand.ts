/**
 * `pipeline <name>`: resolves a named pipeline with the user's flags, runs
 * it with a progress line per epoch, and prints the run folder last.
 */
import { BackendChoice } from "@rectifier/backend"
import { findPreset, type Preset, presets, resolveConfig, runPipeline } from "@rectifier/pipeline"
import { Console, Effect, Option, Schema, SchemaGetter } from "effect"
import { Argument, CliError, Command, Flag } from "effect/cli"
import { progressPrinter } from "./Progress.ts"

/** "1000,1000,1000" -> [1000, 1000, 1000]; validated again with the rest of the configuration. */
const HiddenLayers = Schema.String.pipe(
  Schema.decodeTo(Schema.Array(Schema.Int.check(Schema.isGreaterThan(0))), {
    decode: SchemaGetter.split({ separator: "," }).pipe(SchemaGetter.map((parts) => parts.map(Number))),
    encode: SchemaGetter.transform((widths) => widths.join(","))
  })
)

const optionalInt = (name: string, description: string) =>
  Flag.Int(name).pipe(Flag.withDescription(description), Flag.optional)

const flags = {
  name: Argument.String("name").pipe(
    Argument.withDescription("the pipeline to run; see --list"),
    Argument.optional
  ),
  list: Flag.Boolean("list").pipe(Flag.withDescription("list the named pipelines and exit"), Flag.withDefault(false)),
  epochs: optionalInt("epochs", "number of training epochs"),
  trainSize: optionalInt("train-size", "use only the first N training examples (quick runs)"),
  evalSize: optionalInt("eval-size", "use only the first N validation and test examples (quick runs)"),
  hidden: Flag.String("hidden").pipe(
    Flag.withDescription("hidden layer widths, comma-separated, e.g. 1000,1000,1000"),
    Flag.withSchema(HiddenLayers),
    Flag.optional
  ),
  pretrainEpochs: optionalInt("pretrain-epochs", "epochs per pre-trained layer (pipelines with pre-training)"),
  seed: optionalInt("seed", "the run's seed (weights, shuffling, noise)"),
  batchSize: optionalInt("batch-size", "minibatch size"),
  learningRate: Flag.Finite("learning-rate").pipe(Flag.withDescription("SGD learning rate"), Flag.optional),
  backend: Flag.Literals("backend", BackendChoice.literals).pipe(
    Flag.withDescription("tensor backend; auto takes the fastest that loads"),
    Flag.optional
  ),
  threads: optionalInt("threads", "threads for multi-threaded backends"),
  out: Flag.String("out").pipe(Flag.withDescription("folder that receives the run folder"), Flag.withDefault("runs"))
}

const describe = (preset: Preset) => `${preset.name.padEnd(18)} ${preset.description}`

/** Keeps only the flags the user gave, in the shape of ConfigOverrides. */
const overridesFrom = (preset: Preset, input: {
  readonly pretrainEpochs: Option.Option<number>
  readonly epochs: Option.Option<number>
  readonly trainSize: Option.Option<number>
  readonly evalSize: Option.Option<number>
  readonly hidden: Option.Option<ReadonlyArray<number>>
  readonly seed: Option.Option<number>
  readonly batchSize: Option.Option<number>
  readonly learningRate: Option.Option<number>
  readonly backend: Option.Option<BackendChoice>
  readonly threads: Option.Option<number>
}) => {
  const defined = <T extends Record<string, unknown>>(record: T) =>
    Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined))
  return defined({
    dataset: defined({
      trainSize: Option.getOrUndefined(input.trainSize),
      evaluationSize: Option.getOrUndefined(input.evalSize)
    }),
    training: defined({
      hiddenLayers: Option.getOrUndefined(input.hidden),
      epochs: Option.getOrUndefined(input.epochs),
      batchSize: Option.getOrUndefined(input.batchSize),
      learningRate: Option.getOrUndefined(input.learningRate)
    }),
    pretraining: Option.isSome(input.pretrainEpochs) && preset.overrides.pretraining
      ? { ...preset.overrides.pretraining, epochs: input.pretrainEpochs.value }
      : undefined,
    seed: Option.getOrUndefined(input.seed),
    backend: Option.getOrUndefined(input.backend),
    threads: Option.getOrUndefined(input.threads)
  })
}

const asUserError = (error: { readonly message: string }) =>
  new CliError.UserError({ cause: error, userMessage: error.message })

export const pipelineCommand = Command.make("pipeline", flags, (input) =>
  Effect.gen(function*() {
    if (input.list || Option.isNone(input.name)) {
      yield* Console.log(["Named pipelines:", ...presets.map(describe)].join("\n"))
      return
    }
    const preset = yield* findPreset(input.name.value)
    const config = yield* resolveConfig(preset, overridesFrom(preset, input))
    yield* Console.log(`${preset.name}: ${preset.description}`)
    yield* Console.log(
      `${config.dataset.trainSize} training examples, ${config.training.epochs} epochs, seed ${config.seed}, backend ${config.backend}`
    )
    const { folder, record } = yield* runPipeline(preset, config, { out: input.out, onEpoch: progressPrinter() })
    yield* Console.log(
      `test error ${(100 * record.result.testError).toFixed(2)}% (epoch ${record.result.bestEpoch}), ` +
        `sparsity ${(100 * record.result.sparsity.mean).toFixed(1)}%, backend ${record.environment.backend.name}, ` +
        `${record.wallSeconds.toFixed(1)}s`
    )
    yield* Console.log(folder)
  }).pipe(Effect.mapError(asUserError))
).pipe(Command.withDescription("Run a named pipeline (an experiment of the paper) and write its run folder"))
