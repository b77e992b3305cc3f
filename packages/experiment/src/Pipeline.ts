/**
 * A pipeline run: the stages (Dataset, Trainer, SparsityAnalysis, Report)
 * composed over one seeded random source and one tensor backend. The run
 * folder is created first and receives the resolved configuration
 * (`config.json`), a checkpoint after every epoch (`checkpoint/`), and at the
 * end `results.json` and `report.md`. Pre-training keeps each layer in
 * `pretrained/layers/` as it finishes (bound to the configuration like the
 * checkpoints), so a run killed during pre-training resumes at the next layer;
 * the complete stack is kept in `pretrained/`, so a resumed run does not
 * pre-train again.
 * `resumePipeline` continues a killed run
 * from its folder alone, under the run lock; the results are the
 * uninterrupted run's, bit for bit. Its checkpoints are bound to the run's
 * configuration (a hash of config.json's) and their weights files' bytes, so
 * an edited folder fails instead of resuming with false provenance; a folder
 * whose record is already there is returned unchanged. The record's wall time
 * counts only the time spent running: the seconds stored in the latest
 * checkpoint plus the current segment.
 * A diverged run still writes its record and report, then fails. With a
 * labelled fraction below 1, supervised training sees only the labelled
 * examples and pre-training all of the training inputs (the paper's Figure 4).
 */
import { TensorBackend } from "@rectifier/backend"
import { canonicalJson, describeError, NUMERICS_VERSION, Rng, writeFileAtomic } from "@rectifier/core"
import { Dataset } from "@rectifier/datasets"
import { layerStore, Pretrainer, type PretrainResult } from "@rectifier/rbm"
import { Reference, RunConfig, type RunRecord, RunRecord as RunRecordSchema, RunRecordJson } from "@rectifier/record"
import { Report } from "@rectifier/report"
import {
  checkpointStore,
  type EpochMetrics,
  readWeights,
  SparsityAnalysis,
  type StepProgress,
  Trainer,
  TrainingDiverged,
  writeWeights
} from "@rectifier/train"
import { Effect, FileSystem, Layer, Path, Schema } from "effect"
import { createHash } from "node:crypto"
import { environment } from "./Environment.ts"
import { RecordUnreadable, RunDiverged, RunNotResumable, RunStalled } from "./PipelineError.ts"
import { findPreset } from "./Presets.ts"
import { dataCounts, type DataSource, runDataLayer, TrainingInputs } from "./RunData.ts"
import { createRunFolder } from "./RunFolder.ts"
import { acquireRunLock } from "./RunLock.ts"

/**
 * What a run's record says it is: the pipeline's name, one sentence on what
 * it reproduces, and the numbers it is compared with. A preset is one; a
 * sweep's run names its cell and the cell's references.
 */
export interface RunIdentity {
  readonly name: string
  readonly description: string
  readonly references: ReadonlyArray<Reference>
}

/** Where a run writes, and the callbacks that watch it. */
export interface RunOptions {
  /** Folder that receives the run folder. */
  readonly out: string
  /** Called after every epoch, e.g. for a progress line. */
  readonly onEpoch?: (metrics: EpochMetrics, config: RunConfig, learningRate: number) => Effect.Effect<void>
  /** Called within an epoch every few dozen steps (see the trainer's `onSteps`). */
  readonly onSteps?: (progress: StepProgress, config: RunConfig) => void
  /** Write into this folder instead of creating a fresh one under `out` (sweeps name their runs). */
  readonly folder?: string
  /**
   * Where datasets other than the embedded MNIST come from; by default the
   * download cache of @rectifier/datasets (`$RECTIFIER_DATA_DIR`, else
   * `~/.cache/rectifier/datasets`), downloading missing files.
   */
  readonly data?: DataSource
}

/** A finished run: its folder and the record written there as `results.json`. */
export interface RunOutcome {
  readonly folder: string
  readonly record: RunRecord
  /** Set by `resumePipeline` when the folder already held its record: nothing was run or written. */
  readonly alreadyFinished?: true
}

/** The hash a run's checkpoints are bound to: SHA-256 of its resolved configuration (keys sorted). */
export const configHash = (config: RunConfig): string =>
  createHash("sha256").update(canonicalJson(Schema.encodeSync(RunConfig)(config))).digest("hex")

/** What a run folder holds from its first moment: enough to resume it. */
export const RunStart = Schema.Struct({
  format: Schema.Literal("rectifier-run-start/1"),
  pipeline: Schema.String,
  config: RunConfig,
  startedAt: Schema.String,
  /** The numerics version of the code that started it; a resume under another version is refused. */
  numericsVersion: Schema.optionalKey(Schema.Int),
  /**
   * The description and references the run's record gets, when they are not
   * the pipeline's own (a sweep's run names its cell and the cell's
   * references); a resume uses them, so its record is the uninterrupted one.
   */
  description: Schema.optionalKey(Schema.String),
  references: Schema.optionalKey(Schema.Array(Reference))
})
export type RunStart = typeof RunStart.Type

/** The stage layers for one configuration. */
export const stages = (config: RunConfig, data: DataSource = {}) => {
  const foundation = Layer.mergeAll(
    Rng.layer(config.seed),
    TensorBackend.layer({
      backend: config.backend,
      threads: config.threads,
      sparse: config.sparseProducts ?? "off",
      subnormals: config.subnormals ?? "keep"
    }),
    runDataLayer(config, data)
  )
  return Layer.mergeAll(Pretrainer.layer, Trainer.layer, SparsityAnalysis.layer, Report.layer).pipe(
    Layer.provideMerge(foundation)
  )
}

/** The pre-training curves as the record stores them: plain numeric fields per epoch. */
const pretrainingCurves = (pretrained: PretrainResult) => ({
  activation: pretrained.activation,
  layers: pretrained.layers.map((layer) => ({
    kind: layer.kind,
    curve: layer.curve.map((epoch) =>
      Object.fromEntries(Object.entries(epoch).filter((entry): entry is [string, number] => Number.isFinite(entry[1])))
    ),
    ...(layer.kind === "dae" && layer.candidates !== undefined
      ? { learningRate: layer.learningRate, learningRateCandidates: layer.candidates }
      : {})
  }))
})

const PretrainingRecord = RunRecordSchema.fields.pretraining.schema
type PretrainingRecord = typeof PretrainingRecord.Type
const encodePretraining = Schema.encodeEffect(Schema.fromJsonString(PretrainingRecord))
const decodePretraining = Schema.decodeUnknownEffect(Schema.fromJsonString(PretrainingRecord))

/**
 * The run's pre-trained stack: the one saved in `<folder>/pretrained/` when
 * there is one (its curves and weights), else pre-trained now, continuing
 * from the finished layers in `pretrained/layers/`, and saved there, curves
 * first and `weights` last, so a complete pair means a complete stack (the
 * layers are then removed).
 */
const pretrainedStack = (config: RunConfig, folder: string) =>
  Effect.gen(function*() {
    if (config.pretraining === undefined) return undefined
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const base = path.join(folder, "pretrained")
    const curvesFile = path.join(base, "curves.json")
    const weightsBase = path.join(base, "weights")
    if ((yield* fs.exists(curvesFile)) && (yield* fs.exists(`${weightsBase}.json`))) {
      const curves = yield* decodePretraining(yield* fs.readFileString(curvesFile))
      return { curves, weights: yield* readWeights(weightsBase) }
    }
    const dataset = yield* Dataset
    const layers = path.join(base, "layers")
    const store = yield* layerStore(layers, { configHash: configHash(config), source: path.join(folder, "config.json") })
    const pretrained = yield* (yield* Pretrainer).pretrain(config.pretraining, {
      train: yield* TrainingInputs,
      validation: dataset.validation
    }, store)
    const curves: PretrainingRecord = pretrainingCurves(pretrained)
    yield* fs.makeDirectory(base, { recursive: true })
    yield* writeFileAtomic(curvesFile, (yield* encodePretraining(curves)) + "\n")
    yield* writeWeights(weightsBase, pretrained.weights)
    yield* fs.remove(layers, { recursive: true, force: true })
    return { curves, weights: pretrained.weights }
  })

const encodeRecord = Schema.encodeEffect(RunRecordJson)
const encodeStart = Schema.encodeEffect(Schema.fromJsonString(RunStart))
const decodeStart = Schema.decodeUnknownEffect(Schema.fromJsonString(RunStart))

/** Trains in `folder` (resuming from its checkpoints, if any) and writes the record and report there. */
const runInFolder = (identity: RunIdentity, config: RunConfig, folder: string, started: Date, options: Omit<RunOptions, "out">) =>
  Effect.suspend(() => {
    // This segment of the run (from here to its end or a kill); earlier segments' seconds come from the checkpoint.
    const segmentStart = performance.now()
    let secondsBefore = 0
    const runSeconds = () => secondsBefore + (performance.now() - segmentStart) / 1000
    return Effect.scoped(
      Effect.gen(function*() {
        const dataset = yield* Dataset
        const backend = yield* TensorBackend
        const trainer = yield* Trainer
        const sparsityAnalysis = yield* SparsityAnalysis
        const report = yield* Report
        const pretrained = yield* pretrainedStack(config, folder)
        const path = yield* Path.Path
        const checkpoints = yield* checkpointStore(path.join(folder, "checkpoint"), {
          configHash: configHash(config),
          source: path.join(folder, "config.json"),
          runSeconds
        })
        secondsBefore = yield* checkpoints.runSecondsSoFar
        const training = yield* trainer.run(config.training, {
          checkpoints,
          ...(pretrained === undefined ? {} : { initialHiddenWeights: pretrained.weights }),
          ...(options.onEpoch === undefined
            ? {}
            : { onEpoch: (metrics, _training, learningRate) => options.onEpoch!(metrics, config, learningRate) }),
          ...(options.onSteps === undefined ? {} : { onSteps: (progress) => options.onSteps!(progress, config) })
        })
        const sparsity = yield* sparsityAnalysis.measure(training.model, dataset.test)
        const finished = new Date()
        const record: RunRecord = {
          format: "rectifier-run/1",
          pipeline: identity.name,
          description: identity.description,
          config,
          environment: { ...environment(), backend: backend.info },
          startedAt: started.toISOString(),
          finishedAt: finished.toISOString(),
          wallSeconds: runSeconds(),
          data: dataCounts(config, dataset),
          epochs: training.epochs,
          ...(pretrained === undefined ? {} : { pretraining: pretrained.curves }),
          result: {
            bestEpoch: training.bestEpoch,
            validationError: training.validationError,
            testError: training.testError,
            sparsity,
            learningRate: training.learningRate,
            ...(config.training.learningRates === undefined ? {} : { learningRateCandidates: training.candidates }),
            stoppedEarly: training.stoppedEarly,
            ...(training.diverged === undefined ? {} : { diverged: training.diverged }),
            ...(training.stalled === undefined ? {} : { stalled: training.stalled }),
            ...(training.initialDiagnostics === undefined ? {} : { initialDiagnostics: training.initialDiagnostics }),
            peakRssBytes: process.resourceUsage().maxRSS * 1024
          },
          references: identity.references
        }
        yield* writeFileAtomic(path.join(folder, "results.json"), (yield* encodeRecord(record)) + "\n")
        yield* report.write(folder, record)
        if (training.diverged !== undefined) {
          return yield* new RunDiverged({ folder, detail: new TrainingDiverged(training.diverged).message })
        }
        if (training.stalled !== undefined) return yield* new RunStalled({ folder, detail: training.stalled })
        const outcome: RunOutcome = { folder, record }
        return outcome
      })
    ).pipe(Effect.provide(stages(config, options.data)))
  })

/** Runs the resolved `config` in a fresh run folder (or `options.folder`), its record naming `identity`. */
export const runPipeline = Effect.fn("Experiment.runPipeline")(function*(
  identity: RunIdentity,
  config: RunConfig,
  options: RunOptions
) {
  const started = new Date()
  const fs = yield* FileSystem.FileSystem
  const folder = options.folder === undefined
    ? yield* createRunFolder(options.out, identity.name, config.seed, started)
    : yield* fs.makeDirectory(options.folder, { recursive: true }).pipe(Effect.as(options.folder))
  const path = yield* Path.Path
  const start = yield* encodeStart({
    format: "rectifier-run-start/1",
    pipeline: identity.name,
    config,
    startedAt: started.toISOString(),
    numericsVersion: NUMERICS_VERSION,
    description: identity.description,
    references: identity.references
  })
  yield* writeFileAtomic(path.join(folder, "config.json"), start + "\n")
  return yield* runInFolder(identity, config, folder, started, options)
})

/** Reads a run folder's `config.json`: the pipeline and resolved configuration it was started with. */
export const readRunStart = Effect.fn("Experiment.readRunStart")(function*(folder: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const file = path.join(folder, "config.json")
  const text = yield* fs.readFileString(file).pipe(
    Effect.mapError((error) => new RunNotResumable({ folder, reason: `cannot read ${file}: ${describeError(error)}` }))
  )
  return yield* decodeStart(text).pipe(
    Effect.mapError((issue) => new RunNotResumable({ folder, reason: `${file} is not a run start record: ${issue.message}` }))
  )
})

/**
 * Continues the run in `folder` from its latest checkpoint, with the
 * configuration it was started with, holding the folder's run lock (a sweep
 * or another resume writing it makes this fail with `RunLocked`). A folder
 * whose results.json is there and decodes is returned unchanged
 * (`alreadyFinished`); one that does not decode is computed again.
 */
export const resumePipeline = Effect.fn("Experiment.resumePipeline")(function*(
  folder: string,
  options: Omit<RunOptions, "out"> = {}
) {
  const path = yield* Path.Path
  const absolute = path.resolve(folder)
  const start = yield* readRunStart(absolute)
  if (start.numericsVersion !== undefined && start.numericsVersion !== NUMERICS_VERSION) {
    return yield* new RunNotResumable({
      folder: absolute,
      reason: `it was started under numerics version ${start.numericsVersion}, this code is version ` +
        `${NUMERICS_VERSION}: its checkpoints would continue with different numerics`
    })
  }
  // Starts written before description and references were stored take the pipeline's own.
  const named = start.description === undefined || start.references === undefined
    ? yield* findPreset(start.pipeline)
    : undefined
  const identity: RunIdentity = {
    name: start.pipeline,
    description: start.description ?? named!.description,
    references: start.references ?? named!.references
  }
  yield* acquireRunLock(absolute)
  const finished = yield* readRunRecord(absolute).pipe(Effect.option)
  if (finished._tag === "Some") {
    const outcome: RunOutcome = { folder: absolute, record: finished.value, alreadyFinished: true }
    return outcome
  }
  return yield* runInFolder(identity, start.config, absolute, new Date(start.startedAt), options)
}, Effect.scoped)

const decodeRecord = Schema.decodeUnknownEffect(RunRecordJson)

/** Reads and validates a run folder's `results.json`; `RecordUnreadable` names the file and why. */
export const readRunRecord = Effect.fn("Experiment.readRunRecord")(function*(folder: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const file = path.join(folder, "results.json")
  const unreadable = (error: unknown) => new RecordUnreadable({ file, reason: describeError(error) })
  const text = yield* fs.readFileString(file).pipe(Effect.mapError(unreadable))
  return yield* decodeRecord(text).pipe(Effect.mapError(unreadable))
})
