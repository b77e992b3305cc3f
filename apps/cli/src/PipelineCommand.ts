/**
 * `pipeline <name>`: resolves a named pipeline with the user's overrides (a
 * --config file, then flags) and runs it through the sweep runner: a sweep
 * (or any preset given --seeds) in worker processes with a live progress bar,
 * a single-run preset as a sweep of one in this process with a progress line
 * per epoch. So a single run's folder is the one `--seeds <its seed>` names
 * (`<out>/<pipeline>/<pipeline>-seed<N>-<key>`), and asking again for a
 * finished configuration reports it as already finished and reuses it rather
 * than computing the same record again (move the folder away to recompute).
 * Prints the run (or sweep) folder last, or with --json one JSON document. `--resume <run folder>` continues
 * a killed run with the configuration saved in its folder. `--list` shows
 * every pipeline with its number of runs and estimated time here;
 * `--print-config` the resolved configuration of each run. `--data-dir`
 * names the dataset cache for the run and its sweep workers; `--mirror`
 * (repeatable) gives base URLs tried before the official ones, as
 * `datasets fetch --mirror` does, for the run, its resume and its workers.
 * With `--cluster <url>` a sweep's runs go to the cluster's runners instead.
 * On `--backend auto`, a run that would fall back from native to a slower
 * backend says so first, in one line on stderr, with why and how to fix it.
 */
import { nativeFallbackNotice, probeBackend } from "@rectifier/backend"
import { checkDatabaseUrl, databaseLayer, submitLayer, submitSweep } from "@rectifier/cluster"
import { describeError, formatDuration } from "@rectifier/core"
import {
  estimateBackend,
  estimateSeconds,
  findPreset,
  selectCells,
  mergeOverrides,
  type PlannedRun,
  planRuns,
  type Preset,
  presets,
  readResults,
  readRunStart,
  readRunRecord,
  resolveRuns,
  type ResultsEntry,
  resumePipeline,
  runSweep,
  throughput,
  validateOverrides,
  withoutSelection
} from "@rectifier/experiment"
import { type RunConfig, RunConfig as RunConfigSchema, type RunRecord } from "@rectifier/record"
import { Console, Effect, Option, Schema } from "effect"
import { Argument, CliError, Command, Flag } from "effect/cli"
import { type ConfigFlagValues, configFlagParams, flagProblems, integerList, overridesFromFlags } from "./ConfigFlags.ts"
import { RunsFailed } from "./ExitCode.ts"
import { progressPrinter, sweepProgress } from "./Progress.ts"

/** "1,2,3" -> [1, 2, 3]; a seed named twice would count one run twice in the statistics. */
const SeedList = integerList("seeds").pipe(
  Schema.check(Schema.makeFilter((seeds) =>
    new Set(seeds).size === seeds.length || `seed ${seeds.find((s, i) => seeds.indexOf(s) !== i)} is named twice`
  ))
)

const flags = {
  name: Argument.String("name").pipe(
    Argument.withDescription("the pipeline to run; see --list"),
    Argument.optional
  ),
  list: Flag.Boolean("list").pipe(Flag.withDescription("list the named pipelines and exit"), Flag.withDefault(false)),
  ...configFlagParams,
  config: Flag.FileParse("config").pipe(
    Flag.withDescription(
      "configuration overrides from a JSON or YAML file (.json, .yaml, .yml), in the shape --print-config shows " +
        "(e.g. {training: {epochs: 20}}); flags win over the file"
    ),
    Flag.optional
  ),
  printConfig: Flag.Boolean("print-config").pipe(
    Flag.withDescription("print the resolved configuration of every run as JSON and exit without running"),
    Flag.withDefault(false)
  ),
  json: Flag.Boolean("json").pipe(
    Flag.withDescription("print the outcome as one JSON document on stdout; progress and messages go to stderr"),
    Flag.withDefault(false)
  ),
  dataDir: Flag.String("data-dir").pipe(
    Flag.withDescription(
      "dataset cache folder for datasets other than the embedded MNIST " +
        "(default $RECTIFIER_DATA_DIR, else $XDG_CACHE_HOME/rectifier/datasets, else ~/.cache/rectifier/datasets); missing files are downloaded into it"
    ),
    Flag.optional
  ),
  mirror: Flag.String("mirror").pipe(
    Flag.withDescription("base URL of a dataset mirror, tried before the official addresses; repeat for several"),
    Flag.atLeast(0)
  ),
  resume: Flag.String("resume").pipe(
    Flag.withDescription("continue the killed run in this run folder, with the configuration saved there"),
    Flag.optional
  ),
  cell: Flag.String("cell").pipe(
    Flag.withDescription(
      "run only this cell of the sweep (its label, as the report shows it); repeat for several. Its runs keep their " +
        "identities and sweep folder, so the whole sweep later reuses them"
    ),
    Flag.atLeast(0)
  ),
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
  out: Flag.String("out").pipe(Flag.withDescription("folder that receives the run folder"), Flag.withDefault("runs")),
  reuseResults: Flag.String("reuse-results").pipe(
    Flag.withDescription(
      "a results registry (e.g. results/): a run it holds a record for, from any pipeline, under the same configuration " +
        "and numerics version, is copied from it instead of computed (not with --cluster)"
    ),
    Flag.optional
  ),
  cluster: Flag.String("cluster").pipe(
    Flag.withDescription(
      "run the sweep on the cluster whose PostgreSQL this URL names (no password: set PGPASSWORD); --out is the " +
        "runs folder the runners share (see docs/CLUSTER.md)"
    ),
    Flag.optional
  )
}

/** `--reuse-results` as a sweep option. */
const reuse = (input: { readonly reuseResults: Option.Option<string> }) =>
  Option.isSome(input.reuseResults) ? { reuse: input.reuseResults.value } : {}

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
    "Estimates scale one measured figure per backend by each run's size (see packages/experiment/src/Estimate.ts):",
    ...figures
  ].join("\n")
})

/** Flags that contradict each other or the pipeline fail, naming both, instead of one being dropped silently. */
const conflicts = (input: ConfigFlagValues) => {
  const fail = (userMessage: string) => Effect.fail(new CliError.UserError({ cause: undefined, userMessage }))
  const selecting = Option.getOrElse(input.selectLearningRate, () => false)
  if (selecting && Option.isSome(input.learningRates)) {
    return fail("--select-learning-rate and --learning-rates both name the rates to try; give one of them")
  }
  if (Option.isSome(input.learningRate) && (selecting || Option.isSome(input.learningRates))) {
    return fail("--learning-rate fixes one rate, --select-learning-rate / --learning-rates select among several; give one")
  }
  return Effect.void
}

/** A flag that reaches no run of the plan is refused rather than dropped: `--pretrain-epochs` where nothing pre-trains. */
const unreached = (preset: Preset, input: ConfigFlagValues, runs: ReadonlyArray<PlannedRun>) =>
  Option.isSome(input.pretrainEpochs) && runs.every((run) => run.config.pretraining === undefined)
    ? Effect.fail(new CliError.UserError({ cause: undefined, userMessage: `--pretrain-epochs: ${preset.name} pre-trains nothing` }))
    : Effect.void

/**
 * The caller's overrides: the --config file's, then the flags' on top, each
 * validated on its own so a problem names the file or the flag.
 */
const callerOverrides = (input: ConfigFlagValues & { readonly config: Option.Option<unknown> }) =>
  Effect.gen(function*() {
    const fromFile = Option.isSome(input.config)
      ? yield* validateOverrides(`--config ${configPath() ?? "file"}`, input.config.value)
      : {}
    const fromFlags = yield* validateOverrides("flags", overridesFromFlags(input)).pipe(
      Effect.mapError(flagProblems)
    )
    return mergeOverrides(fromFile, fromFlags)
  })

/** The file named by --config, for messages (the CLI module hands over its parsed content only). */
const configPath = (): string | undefined => {
  const index = process.argv.findIndex((arg) => arg === "--config" || arg.startsWith("--config="))
  if (index < 0) return undefined
  const arg = process.argv[index]!
  return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : process.argv[index + 1]
}

/** What a run trains, from its resolved configuration (not the preset's fixed description). */
const describeConfig = (config: RunConfig): string => {
  const t = config.training
  const net = t.model?.kind === "conv" ? `conv net ${t.model.channels.join(",")}` : `MLP, hidden layers ${t.hiddenLayers.join(",")}`
  const rates = t.learningRates === undefined ? `lr ${t.learningRate}` : `lr selected from ${t.learningRates.join(", ")}`
  return `${net}, ${t.activation}, ${rates}, minibatch ${t.batchSize}, L1 ${t.l1Penalty}` +
    (config.pretraining === undefined ? "" : `, ${config.pretraining.kind} pre-training`)
}

/** The closing line of a single run: what it reached, where, and how fast. */
const summary = (record: RunRecord) =>
  `test error ${(100 * record.result.testError).toFixed(2)}% (epoch ${record.result.bestEpoch}), ` +
  `sparsity ${(100 * record.result.sparsity.mean).toFixed(1)}%, backend ${record.environment.backend.name}, ` +
  `${record.wallSeconds.toFixed(1)}s` +
  (record.result.learningRateCandidates === undefined ? "" : `, learning rate ${record.result.learningRate}`)

/** The --json document of a single run. */
const runJson = (folder: string, record: RunRecord, alreadyFinished: boolean) => ({
  kind: "run",
  folder,
  record: `${folder}/results.json`,
  alreadyFinished,
  pipeline: record.pipeline,
  testError: record.result.testError,
  validationError: record.result.validationError,
  bestEpoch: record.result.bestEpoch,
  sparsity: record.result.sparsity.mean,
  learningRate: record.result.learningRate,
  wallSeconds: record.wallSeconds,
  backend: record.environment.backend.name
})

// describeError: a platform error keeps its errno code (ENOSPC, EROFS), which Effect's message drops.
const asUserError = (error: { readonly message: string }) =>
  error instanceof CliError.UserError ? error : new CliError.UserError({ cause: error, userMessage: describeError(error) })

const encodeConfig = Schema.encodeSync(RunConfigSchema)

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

export const pipelineCommand = Command.make("pipeline", flags, (input) =>
  Effect.gen(function*() {
    if (input.list || Option.isNone(input.name)) {
      yield* Console.log(yield* listing)
      return
    }
    // With --json, stdout carries the one JSON document; everything for people goes to stderr.
    const say = input.json ? Console.error : Console.log
    const human = input.json ? process.stderr : process.stdout
    const printJson = (value: unknown) => Console.log(JSON.stringify(value, null, 2))
    const preset = yield* findPreset(input.name.value).pipe(Effect.flatMap((found) => selectCells(found, input.cell)))
    yield* conflicts(input)
    if (Option.isSome(input.reuseResults) && Option.isSome(input.cluster)) {
      return yield* new CliError.UserError({
        cause: undefined,
        userMessage: "--reuse-results applies to sweeps run on this machine, not to --cluster; give one of them"
      })
    }
    const data = {
      ...(Option.isSome(input.dataDir) ? { dataDir: input.dataDir.value } : {}),
      ...(input.mirror.length === 0 ? {} : { mirrors: input.mirror })
    }
    if (Option.isSome(input.resume)) {
      const start = yield* readRunStart(input.resume.value)
      if (start.pipeline !== preset.name) {
        return yield* new CliError.UserError({
          cause: undefined,
          userMessage: `--resume: ${input.resume.value} is a run of "${start.pipeline}", not "${preset.name}"`
        })
      }
      yield* say(
        `resuming ${input.resume.value} with the configuration saved there (flags other than --data-dir and --mirror are ignored)`
      )
      yield* noticeFallback(start.config)
      const { alreadyFinished, folder, record } = yield* resumePipeline(input.resume.value, {
        ...progressPrinter(say, human),
        data
      })
      if (alreadyFinished === true) {
        yield* say(`already finished: ${folder} holds its record (results.json); nothing was run or rewritten`)
      }
      yield* say(summary(record))
      yield* input.json ? printJson(runJson(folder, record, alreadyFinished === true)) : Console.log(folder)
      return
    }
    const overrides = yield* callerOverrides(input)
    const sweep = preset.sweep !== undefined || Option.isSome(input.seeds)
    const runs = yield* resolveRuns(preset, overrides, Option.isSome(input.seeds) ? input.seeds.value : undefined)
    yield* unreached(preset, input, runs)
    if (input.printConfig) {
      const resolved = runs.map((run) => ({
        cell: run.cell,
        seed: run.config.seed,
        ...(run.selection === undefined ? {} : { selection: run.selection }),
        config: encodeConfig(run.config)
      }))
      yield* printJson(sweep ? { pipeline: preset.name, runs: resolved } : { pipeline: preset.name, config: resolved[0]!.config })
      return
    }
    if (sweep) {
      yield* noticeFallback(runs[0]!.config)
      const progress = sweepProgress(human)
      const sweepOptions = {
        out: input.out,
        overrides,
        ...(Option.isSome(input.seeds) ? { seeds: input.seeds.value } : {}),
        onEvent: progress.onEvent
      }
      const outcome = Option.isSome(input.cluster)
        ? yield* checkDatabaseUrl("--cluster", input.cluster.value).pipe(
          Effect.flatMap((url) =>
            submitSweep(preset, sweepOptions).pipe(Effect.provide(submitLayer), Effect.provide(databaseLayer(url)))
          ),
          Effect.ensuring(Effect.sync(progress.stop))
        )
        : yield* runSweep(preset, { ...sweepOptions, parallel: input.parallel, data, ...reuse(input) }).pipe(
          Effect.ensuring(Effect.sync(progress.stop))
        )
      yield* say(
        `${outcome.runs.length} runs (${outcome.executed} run now, ${outcome.runs.length - outcome.executed} already finished or locked); ` +
          `report: ${outcome.report.html}`
      )
      yield* say(
        `for other tools: ${outcome.report.summary.csv}, summary.json` +
          (outcome.report.weights.length === 0 ? "" : `; best weights per cell: ${outcome.report.weights.length} .safetensors files`)
      )
      yield* input.json
        ? printJson({
          kind: "sweep",
          folder: outcome.folder,
          runs: outcome.runs.length,
          executed: outcome.executed,
          failed: outcome.failed,
          report: outcome.report
        })
        : Console.log(outcome.folder)
      if (outcome.failed.length > 0) {
        const detail = `${outcome.failed.length} of ${outcome.runs.length} runs failed; the report leaves them out:\n` +
          outcome.failed.map((f) => `  ${f.name}: ${f.reason.split("\n")[0]}`).join("\n")
        return yield* new CliError.UserError({ cause: new RunsFailed({ detail }), userMessage: detail })
      }
      return
    }
    // A single run is a sweep of one, run in this process: the sweep's folder, key, lock and reuse.
    const config = runs[0]!.config
    yield* say(`${preset.name}: ${describeConfig(config)}`)
    yield* say(
      `${config.dataset.name}, ${config.dataset.trainSize ?? "all"} training examples` +
        (config.dataset.labelledFraction < 1 ? ` (${config.dataset.labelledFraction} labelled)` : "") +
        `, ${config.training.epochs} epoch${config.training.epochs === 1 ? "" : "s"}, seed ${config.seed}, backend ${config.backend}` +
        (estimateSeconds(config) === undefined
          ? ""
          : `, estimated ${formatDuration(estimateSeconds(config)!)} (${estimateBackend(config)})`)
    )
    yield* noticeFallback(config)
    let skipped: string | undefined
    const outcome = yield* runSweep(preset, {
      out: input.out,
      parallel: 1,
      overrides,
      data,
      ...reuse(input),
      inProcess: progressPrinter(say, human),
      onEvent: (event) => {
        if (event._tag === "RunSkipped") skipped = event.reason
      }
    })
    const { folder } = outcome.runs[0]!
    const failure = outcome.failed[0]
    if (failure !== undefined) {
      const detail = `already finished: ${folder} holds a failed run of this configuration; nothing was run ` +
        `(move the folder away to run it again):\n${failure.reason}`
      return yield* new CliError.UserError({ cause: new RunsFailed({ detail }), userMessage: detail })
    }
    const alreadyFinished = outcome.executed === 0
    const record = yield* readRunRecord(folder).pipe(
      // No record and nothing run: another process holds the run's lock.
      Effect.mapError((error) => skipped === undefined ? error : new CliError.UserError({ cause: error, userMessage: skipped }))
    )
    if (alreadyFinished) {
      yield* say(
        `already finished: ${folder} holds the record of this configuration (results.json); nothing was run or ` +
          "rewritten (move the folder away to run it again)"
      )
    }
    yield* say(summary(record))
    yield* input.json ? printJson(runJson(folder, record, alreadyFinished)) : Console.log(folder)
  }).pipe(Effect.mapError(asUserError))
).pipe(Command.withDescription(
  "Run a named pipeline (an experiment of the paper) and write its run folder. The defaults shown are those every " +
    "pipeline starts from; a pipeline may change them (--print-config shows a run's resolved values)."
))
