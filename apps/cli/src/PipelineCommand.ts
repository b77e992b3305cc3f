/**
 * `pipeline <name>`: resolves a named pipeline with the user's flags and runs
 * it: a single-run preset with a progress line per epoch, a sweep (or any
 * preset given --seeds) through the sweep runner with a live progress bar.
 * Prints the run (or sweep) folder last. `--resume <run folder>` continues a
 * killed run with the configuration saved in its folder. `--list` shows every
 * pipeline with its number of runs and estimated time here. `--data-dir` sets
 * the dataset cache (`$RECTIFIER_DATA_DIR`) for the run and its sweep workers;
 * `--mirror` (repeatable) gives base URLs tried before the official ones, as
 * `datasets fetch --mirror` does, for the run, its resume and its workers.
 * On `--backend auto`, a run that would fall back from native to a slower
 * backend says so first, in one line on stderr, with why and how to fix it.
 */
import { BackendChoice, nativeFallbackNotice, probeBackend } from "@rectifier/backend"
import { describeError } from "@rectifier/core"
import {
  estimateBackend,
  estimateSeconds,
  findPreset,
  formatDuration,
  PAPER_PROTOCOL,
  type PlannedRun,
  planRuns,
  type Preset,
  Protocol,
  withoutSelection,
  presets,
  readRunStart,
  resolveConfig,
  resumePipeline,
  runPipeline,
  throughput
} from "@rectifier/pipeline"
import type { RunConfig, RunRecord } from "@rectifier/report"
import { readResults, type ResultsEntry, runSweep } from "@rectifier/sweep"
import { PAPER_LEARNING_RATES } from "@rectifier/train"
import { Console, Effect, Option, Schema, SchemaGetter } from "effect"
import { Argument, CliError, Command, Flag } from "effect/cli"
import { RunsFailed } from "./ExitCode.ts"
import { progressPrinter, sweepProgress } from "./Progress.ts"

/** Comma-separated decimal integers ("0x20" or "1e3" are refused, not read as 32 or 1000). */
const integerList = (what: string) =>
  Schema.String.check(Schema.isPattern(/^\d+(,\d+)*$/, { message: `expected ${what}: decimal integers separated by commas` }))
    .pipe(
      Schema.decodeTo(Schema.Array(Schema.Int), {
        decode: SchemaGetter.split({ separator: "," }).pipe(SchemaGetter.map((parts) => parts.map(Number))),
        encode: SchemaGetter.transform((values) => values.join(","))
      })
    )

/** "1000,1000,1000" -> [1000, 1000, 1000]; validated again with the rest of the configuration. */
const HiddenLayers = integerList("widths").pipe(
  Schema.check(Schema.makeFilter((widths) => widths.every((w) => w > 0) || "every width must be at least 1"))
)

/** "1,2,3" -> [1, 2, 3]; a seed named twice would count one run twice in the statistics. */
const SeedList = integerList("seeds").pipe(
  Schema.check(Schema.makeFilter((seeds) =>
    new Set(seeds).size === seeds.length || `seed ${seeds.find((s, i) => seeds.indexOf(s) !== i)} is named twice`
  ))
)

/** "0.1,0.01" -> [0.1, 0.01]; validated again with the rest of the configuration. */
const NumberList = Schema.String.pipe(
  Schema.decodeTo(Schema.Array(Schema.Finite), {
    decode: SchemaGetter.split({ separator: "," }).pipe(SchemaGetter.map((parts) => parts.map(Number))),
    encode: SchemaGetter.transform((values) => values.join(","))
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
  trainSize: optionalInt("train-size", "use only the first N training examples (quick runs; default all of the paper's split)"),
  evalSize: optionalInt("eval-size", "use only the first N validation and test examples (quick runs; default all)"),
  dataDir: Flag.String("data-dir").pipe(
    Flag.withDescription(
      "dataset cache folder for datasets other than the embedded MNIST " +
        "(default $RECTIFIER_DATA_DIR, else ~/.cache/rectifier/datasets); missing files are downloaded into it"
    ),
    Flag.optional
  ),
  mirror: Flag.String("mirror").pipe(
    Flag.withDescription("base URL of a dataset mirror, tried before the official addresses; repeat for several"),
    Flag.atLeast(0)
  ),
  hidden: Flag.String("hidden").pipe(
    Flag.withDescription("hidden layer widths, comma-separated, e.g. 1000,1000,1000"),
    Flag.withSchema(HiddenLayers),
    Flag.optional
  ),
  pretrainEpochs: optionalInt("pretrain-epochs", "epochs per pre-trained layer (pipelines with pre-training)"),
  seed: optionalInt("seed", "the run's seed (weights, shuffling, noise)"),
  batchSize: optionalInt("batch-size", "minibatch size"),
  learningRate: Flag.Finite("learning-rate").pipe(Flag.withDescription("SGD learning rate"), Flag.optional),
  learningRates: Flag.String("learning-rates").pipe(
    Flag.withDescription("train once per rate, comma-separated, and keep the best on validation error"),
    Flag.withSchema(NumberList),
    Flag.optional
  ),
  protocol: Flag.Literals("protocol", Protocol.literals).pipe(
    Flag.withDescription(
      "paper: select each net's learning rate from the paper's grid with early stopping " +
        `(patience ${PAPER_PROTOCOL.patience}, at most ${PAPER_PROTOCOL.epochs} epochs; Table 1 and Figure 3 default to it); ` +
        "shortcut: the configuration's own rate and epochs"
    ),
    Flag.optional
  ),
  selectLearningRate: Flag.Boolean("select-learning-rate").pipe(
    Flag.withDescription(`the paper's protocol: --learning-rates ${PAPER_LEARNING_RATES.join(",")}`),
    Flag.withDefault(false)
  ),
  momentum: Flag.Finite("momentum").pipe(Flag.withDescription("SGD momentum in [0, 1) (default 0)"), Flag.optional),
  weightDecay: Flag.Finite("weight-decay").pipe(Flag.withDescription("L2 weight decay (default 0)"), Flag.optional),
  l1: Flag.Finite("l1").pipe(Flag.withDescription("L1 penalty on hidden activations"), Flag.optional),
  patience: optionalInt("patience", "stop after N epochs without a lower validation error"),
  conv: Flag.String("conv").pipe(
    Flag.withDescription("train a conv net with these channels per stage (5x5 kernels, 2x2 max-pooling), e.g. 16,32"),
    Flag.withSchema(HiddenLayers),
    Flag.optional
  ),
  diagnosticExamples: optionalInt("diagnostic-examples", "validation examples the per-epoch diagnostics use (0: none)"),
  resume: Flag.String("resume").pipe(
    Flag.withDescription("continue the killed run in this run folder, with the configuration saved there"),
    Flag.optional
  ),
  backend: Flag.Literals("backend", BackendChoice.literals).pipe(
    Flag.withDescription("tensor backend; auto takes the fastest that loads"),
    Flag.optional
  ),
  threads: optionalInt("threads", "threads for multi-threaded backends"),
  seeds: Flag.String("seeds").pipe(
    Flag.withDescription("comma-separated distinct seeds; runs the pipeline as a sweep over them (replaces a sweep's seeds)"),
    Flag.withSchema(SeedList),
    Flag.optional
  ),
  parallel: Flag.Int("parallel").pipe(
    Flag.withDescription("sweep runs at once, each in its own process (default 1)"),
    Flag.withSchema(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
    Flag.withDefault(1)
  ),
  out: Flag.String("out").pipe(Flag.withDescription("folder that receives the run folder"), Flag.withDefault("runs"))
}

/** A follower reuses its leader's rates, so it trains one candidate (and pre-trains once per layer). */
const asTrained = (run: PlannedRun): RunConfig => run.selection === "follower" ? withoutSelection(run.config) : run.config

/** One line of --list: name, runs, estimated time here, and the measured cost when results/ holds the pipeline. */
const describe = (preset: Preset, measured: ReadonlyArray<ResultsEntry>) =>
  Effect.gen(function*() {
    const runs = yield* planRuns(preset)
    const seconds = runs.reduce((sum, run) => sum + (estimateSeconds(asTrained(run)) ?? Number.NaN), 0)
    const entry = measured.find((e) => e.pipeline === preset.name)
    return `${preset.name.padEnd(24)} ${String(runs.length).padStart(3)} run${runs.length === 1 ? " " : "s"}  ` +
      `~${(Number.isFinite(seconds) ? formatDuration(seconds) : "?").padEnd(10)} ${preset.description}` +
      (entry === undefined ? "" : `\n${"".padEnd(41)}measured (results/${entry.pipeline}): ` +
        entry.cells.map((cell) => `${cell.label} ${cell.coreHours.toFixed(1)}`).join(", ") +
        ` core-hours; ${entry.finished} of ${entry.planned ?? "?"} runs, ${entry.coreHours.toFixed(1)} core-hours in all`)
  })

const listing = Effect.gen(function*() {
  const measured = yield* readResults(new URL("../../../results", import.meta.url).pathname)
  const lines = yield* Effect.forEach(presets, (preset) => describe(preset, measured))
  const figures = Object.entries(throughput).map(([backend, figure]) =>
    `  ${backend}: ${figure.samplesPerSecond} training examples/s on 784-1000-1000-1000-10 (${figure.measured})`
  )
  return [
    "Named pipelines (runs = cells x seeds; time estimated for this machine at the paper's full size, the paper " +
    "protocol's at its epoch cap for every run that keeps up; measured core-hours where results/ holds the pipeline):",
    ...lines,
    "",
    "Estimates scale one measured figure per backend by each run's size (see packages/pipeline/src/Estimate.ts):",
    ...figures
  ].join("\n")
})

/** Keeps only the flags the user gave, in the shape of ConfigOverrides. */
const overridesFrom = (preset: Preset, input: {
  readonly protocol: Option.Option<Protocol>
  readonly pretrainEpochs: Option.Option<number>
  readonly epochs: Option.Option<number>
  readonly trainSize: Option.Option<number>
  readonly evalSize: Option.Option<number>
  readonly hidden: Option.Option<ReadonlyArray<number>>
  readonly seed: Option.Option<number>
  readonly batchSize: Option.Option<number>
  readonly learningRate: Option.Option<number>
  readonly learningRates: Option.Option<ReadonlyArray<number>>
  readonly selectLearningRate: boolean
  readonly momentum: Option.Option<number>
  readonly weightDecay: Option.Option<number>
  readonly l1: Option.Option<number>
  readonly patience: Option.Option<number>
  readonly conv: Option.Option<ReadonlyArray<number>>
  readonly diagnosticExamples: Option.Option<number>
  readonly backend: Option.Option<BackendChoice>
  readonly threads: Option.Option<number>
}) => {
  const defined = <T extends Record<string, unknown>>(record: T) =>
    Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined))
  return defined({
    protocol: Option.getOrUndefined(input.protocol),
    dataset: defined({
      trainSize: Option.getOrUndefined(input.trainSize),
      evaluationSize: Option.getOrUndefined(input.evalSize)
    }),
    training: defined({
      hiddenLayers: Option.getOrUndefined(input.hidden),
      epochs: Option.getOrUndefined(input.epochs),
      batchSize: Option.getOrUndefined(input.batchSize),
      learningRate: Option.getOrUndefined(input.learningRate),
      learningRates: input.selectLearningRate ? PAPER_LEARNING_RATES : Option.getOrUndefined(input.learningRates),
      momentum: Option.getOrUndefined(input.momentum),
      weightDecay: Option.getOrUndefined(input.weightDecay),
      l1Penalty: Option.getOrUndefined(input.l1),
      patience: Option.getOrUndefined(input.patience),
      model: Option.match(input.conv, {
        onNone: () => undefined,
        onSome: (channels) => ({ kind: "conv", channels, kernelSize: 5, pool: 2 })
      }),
      diagnosticExamples: Option.getOrUndefined(input.diagnosticExamples)
    }),
    pretraining: Option.isSome(input.pretrainEpochs) && preset.overrides.pretraining
      ? { ...preset.overrides.pretraining, epochs: input.pretrainEpochs.value }
      : undefined,
    seed: Option.getOrUndefined(input.seed),
    backend: Option.getOrUndefined(input.backend),
    threads: Option.getOrUndefined(input.threads)
  })
}

/** Flags that contradict each other or the pipeline fail, naming both, instead of one being dropped silently. */
const conflicts = (preset: Preset, input: {
  readonly selectLearningRate: boolean
  readonly learningRates: Option.Option<ReadonlyArray<number>>
  readonly learningRate: Option.Option<number>
  readonly pretrainEpochs: Option.Option<number>
}) => {
  const fail = (userMessage: string) => Effect.fail(new CliError.UserError({ cause: undefined, userMessage }))
  if (input.selectLearningRate && Option.isSome(input.learningRates)) {
    return fail("--select-learning-rate and --learning-rates both name the rates to try; give one of them")
  }
  if (Option.isSome(input.learningRate) && (input.selectLearningRate || Option.isSome(input.learningRates))) {
    return fail("--learning-rate fixes one rate, --select-learning-rate / --learning-rates select among several; give one")
  }
  if (Option.isSome(input.pretrainEpochs) && preset.overrides.pretraining === undefined) {
    return fail(`--pretrain-epochs: ${preset.name} pre-trains nothing (or only in some sweep cells, which this flag does not reach)`)
  }
  return Effect.void
}

/** One line on stderr when `auto` would pass over native for a slower backend (a failed addon build at install). */
const noticeFallback = (config: Pick<RunConfig, "backend" | "threads">) =>
  config.backend !== "auto" ? Effect.void : probeBackend({ backend: "auto", threads: config.threads }).pipe(
    Effect.flatMap((info) => {
      const line = nativeFallbackNotice(info)
      return line === undefined ? Effect.void : Console.error(line)
    }),
    // No backend loads at all: the run itself fails saying so.
    Effect.catchTag("BackendUnavailable", () => Effect.void)
  )

/** The closing line of a single run: what it reached, where, and how fast. */
const summary = (record: RunRecord) =>
  `test error ${(100 * record.result.testError).toFixed(2)}% (epoch ${record.result.bestEpoch}), ` +
  `sparsity ${(100 * record.result.sparsity.mean).toFixed(1)}%, backend ${record.environment.backend.name}, ` +
  `${record.wallSeconds.toFixed(1)}s` +
  (record.result.learningRateCandidates === undefined ? "" : `, learning rate ${record.result.learningRate}`)

// describeError: a platform error keeps its errno code (ENOSPC, EROFS), which Effect's message drops.
const asUserError = (error: { readonly message: string }) =>
  error instanceof CliError.UserError ? error : new CliError.UserError({ cause: error, userMessage: describeError(error) })

export const pipelineCommand = Command.make("pipeline", flags, (input) =>
  Effect.gen(function*() {
    if (input.list || Option.isNone(input.name)) {
      yield* Console.log(yield* listing)
      return
    }
    const preset = yield* findPreset(input.name.value)
    yield* conflicts(preset, input)
    // The datasets package reads the cache folder from the environment, which sweep workers inherit.
    if (Option.isSome(input.dataDir)) process.env.RECTIFIER_DATA_DIR = input.dataDir.value
    if (Option.isSome(input.resume)) {
      const start = yield* readRunStart(input.resume.value)
      if (start.pipeline !== preset.name) {
        return yield* new CliError.UserError({
          cause: undefined,
          userMessage: `--resume: ${input.resume.value} is a run of "${start.pipeline}", not "${preset.name}"`
        })
      }
      yield* Console.log(
        `resuming ${input.resume.value} with the configuration saved there (flags other than --data-dir and --mirror are ignored)`
      )
      yield* noticeFallback(start.config)
      const { alreadyFinished, folder, record } = yield* resumePipeline(input.resume.value, {
        onEpoch: progressPrinter(),
        data: { mirrors: input.mirror }
      })
      if (alreadyFinished === true) {
        yield* Console.log(`already finished: ${folder} holds its record (results.json); nothing was run or rewritten`)
      }
      yield* Console.log(summary(record))
      yield* Console.log(folder)
      return
    }
    if (preset.sweep !== undefined || Option.isSome(input.seeds)) {
      // The sweep's own planning reports a configuration that does not resolve.
      const base = yield* Effect.option(resolveConfig(preset, overridesFrom(preset, input)))
      if (Option.isSome(base)) yield* noticeFallback(base.value)
      const progress = sweepProgress()
      const outcome = yield* runSweep(preset, {
        out: input.out,
        parallel: input.parallel,
        overrides: overridesFrom(preset, input),
        mirrors: input.mirror,
        ...(Option.isSome(input.seeds) ? { seeds: input.seeds.value } : {}),
        onEvent: progress.onEvent
      }).pipe(Effect.ensuring(Effect.sync(progress.stop)))
      yield* Console.log(
        `${outcome.runs.length} runs (${outcome.executed} run now, ${outcome.runs.length - outcome.executed} already finished or locked); ` +
          `report: ${outcome.report.html}`
      )
      yield* Console.log(
        `for other tools: ${outcome.report.summary.csv}, summary.json` +
          (outcome.report.weights.length === 0 ? "" : `; best weights per cell: ${outcome.report.weights.length} .safetensors files`)
      )
      yield* Console.log(outcome.folder)
      if (outcome.failed.length > 0) {
        const detail = `${outcome.failed.length} of ${outcome.runs.length} runs failed; the report leaves them out:\n` +
          outcome.failed.map((f) => `  ${f.name}: ${f.reason.split("\n")[0]}`).join("\n")
        return yield* new CliError.UserError({ cause: new RunsFailed({ detail }), userMessage: detail })
      }
      return
    }
    const config = yield* resolveConfig(preset, overridesFrom(preset, input))
    yield* Console.log(`${preset.name}: ${preset.description}`)
    yield* Console.log(
      `${config.dataset.name}, ${config.dataset.trainSize ?? "all"} training examples` +
        (config.dataset.labelledFraction < 1 ? ` (${config.dataset.labelledFraction} labelled)` : "") +
        `, ${config.training.epochs} epochs, seed ${config.seed}, backend ${config.backend}` +
        (estimateSeconds(config) === undefined
          ? ""
          : `, estimated ${formatDuration(estimateSeconds(config)!)} (${estimateBackend(config)})`)
    )
    yield* noticeFallback(config)
    const { folder, record } = yield* runPipeline(preset, config, {
      out: input.out,
      onEpoch: progressPrinter(),
      data: { mirrors: input.mirror }
    })
    yield* Console.log(summary(record))
    yield* Console.log(folder)
  }).pipe(Effect.mapError(asUserError))
).pipe(Command.withDescription("Run a named pipeline (an experiment of the paper) and write its run folder"))
