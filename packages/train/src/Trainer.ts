/**
 * The Trainer stage: the paper's supervised protocol. For each learning rate
 * of the config (the paper's grid {0.1, 0.01, 0.001, 0.0001}, or one rate),
 * minibatch SGD (optional momentum and weight decay, the L1 activation
 * penalty) evaluated after each epoch on the validation and test sets, with
 * early stopping; each run keeps its epoch of lowest validation error, and
 * the rate whose run reached the lowest validation error wins. With
 * `candidatePruning`, a rate clearly beaten by an earlier one, or one that
 * learns nothing, stops early (Selection.ts). After every
 * epoch the run can be checkpointed, and a checkpointed run resumes bit for
 * bit. A NaN or infinite cost or weight stops a run as diverged.
 */
import { resolveActivation } from "@rectifier/activations"
import { TensorBackend } from "@rectifier/backend"
import { RandomStream, Rng } from "@rectifier/core"
import { Dataset, type LabelledSet, type SplitDataset } from "@rectifier/datasets"
import * as tf from "@tensorflow/tfjs-core"
import { Context, Effect, Layer, Option, type Scope } from "effect"
import type { BestEpoch, Checkpoint, CheckpointStore } from "./Checkpoint.ts"
import { ConvNet } from "./ConvNet.ts"
import { type EpochDiagnostics, ACTIVATION_EDGES, gradientNorms, layerStatistics } from "./Diagnostics.ts"
import type { EpochMetrics } from "./EpochMetrics.ts"
import { evaluate } from "./Evaluation.ts"
import { Mlp } from "./Mlp.ts"
import { type Model, modelCost } from "./Model.ts"
import type { DenseWeights, ModelWeights } from "./ModelWeights.ts"
import {
  type CandidateEpoch,
  type CandidateStop,
  type LearningRateCandidate,
  pruneReason,
  stalled,
  verdicts
} from "./Selection.ts"
import { Sgd } from "./Sgd.ts"
import { learningRatesOf, type TrainingConfig } from "./TrainingConfig.ts"
import {
  type CheckpointMismatch,
  type CheckpointUnreadable,
  type CheckpointUnwritable,
  type Divergence,
  TrainingConfigInvalid
} from "./TrainingError.ts"

export type { EpochMetrics } from "./EpochMetrics.ts"

export interface TrainingResult {
  readonly epochs: ReadonlyArray<EpochMetrics>
  /** 1-based epoch whose weights the model holds (0: the initial weights, when the first epoch diverged). */
  readonly bestEpoch: number
  readonly validationError: number
  readonly testError: number
  /** The learning rate of the chosen run. */
  readonly learningRate: number
  /** Every learning rate tried, in order. */
  readonly candidates: ReadonlyArray<LearningRateCandidate>
  /** True when patience ran out before the maximum epoch count. */
  readonly stoppedEarly: boolean
  /** Diagnostics of the initial weights (before the first update), when diagnostics are on. */
  readonly initialDiagnostics: EpochDiagnostics | undefined
  /** Set when the chosen run diverged (every rate diverged); the model then holds its last good weights. */
  readonly diverged: Divergence | undefined
  /**
   * Set when the kept weights blew up with a finite cost: a validation error
   * within 10% of chance and a training cost over ten times a uniform guess's.
   */
  readonly stalled: string | undefined
  /** The trained model (best validation epoch), alive until the caller's scope closes. */
  readonly model: Model
}

/** How far the current epoch has got: `step` of its `steps` minibatches. */
export interface StepProgress {
  readonly epoch: number
  readonly step: number
  readonly steps: number
  readonly learningRate: number
}

export interface TrainingHooks {
  /** Called after each epoch, e.g. to print progress. */
  readonly onEpoch?: (metrics: EpochMetrics, config: TrainingConfig, learningRate: number) => Effect.Effect<void>
  /** Called within an epoch every few dozen steps (for progress in long epochs; it must be cheap). */
  readonly onSteps?: (progress: StepProgress) => void
  /** Hidden-layer weights to start from (greedy pre-training); the output layer starts fresh. */
  readonly initialHiddenWeights?: ModelWeights
  /** Save a checkpoint after every epoch, and resume from the latest one found. */
  readonly checkpoints?: CheckpointStore
}

type TrainingFailure = TrainingConfigInvalid | CheckpointUnreadable | CheckpointMismatch | CheckpointUnwritable

/** Steps run between two yields to the Effect scheduler (keeps the CLI interruptible). */
const STEPS_PER_SLICE = 50
/** Training examples (the first ones) whose gradient the diagnostics measure. */
const GRADIENT_EXAMPLES = 256
const DEFAULT_DIAGNOSTIC_EXAMPLES = 1000

/** Copies the rows `order[start..end)` of `set` into a batch and its one-hot targets. */
const gatherBatch = (set: LabelledSet, classes: number, order: Int32Array, start: number, end: number) => {
  const rows = end - start
  const inputs = new Float32Array(rows * set.features)
  const targets = new Float32Array(rows * classes)
  for (let r = 0; r < rows; r++) {
    const index = order[start + r]!
    inputs.set(set.inputs.subarray(index * set.features, (index + 1) * set.features), r * set.features)
    targets[r * classes + set.labels[index]!] = 1
  }
  return { rows, inputs, targets }
}

const identityOrder = (n: number) => Int32Array.from({ length: n }, (_, i) => i)

/** Flattens weights into the model's variable order (weights, bias, activation parameters per layer). */
const flatten = (weights: ModelWeights): Array<Float32Array> =>
  weights.layers.flatMap((layer) => [layer.weights, layer.bias, ...Object.values(layer.activationParameters)])

/** The inverse of `flatten`, shaped like `template`. */
const unflatten = (template: ModelWeights, arrays: ReadonlyArray<Float32Array>): ModelWeights => {
  let i = 0
  return {
    layers: template.layers.map((layer): DenseWeights => ({
      fanIn: layer.fanIn,
      fanOut: layer.fanOut,
      weights: arrays[i++]!,
      bias: arrays[i++]!,
      activationParameters: Object.fromEntries(Object.keys(layer.activationParameters).map((name) => [name, arrays[i++]!]))
    }))
  }
}

/** Builds a fresh model for `config` on `data` (the "init" stream draws its weights). */
const buildModel = (config: TrainingConfig, data: SplitDataset, rng: Rng["Service"]) =>
  Effect.gen(function*() {
    const spec = config.model ?? { kind: "mlp" as const }
    const stages = spec.kind === "conv" ? spec.channels.length : 0
    const layers = stages + config.hiddenLayers.length
    if (config.activations !== undefined && config.activations.length !== layers) {
      return yield* new TrainingConfigInvalid({
        field: "activations",
        problem: `names ${config.activations.length} activations, the model has ${layers} hidden layers`
      })
    }
    const neurons = (config.activations ?? Array.from({ length: layers }, () => config.activation)).map(resolveActivation)
    const init = rng.stream("init")
    if (spec.kind === "mlp") {
      const shape = { inputs: data.train.features, hiddenLayers: config.hiddenLayers, classes: data.classes }
      return Mlp.initialize(shape, neurons, config.initializer, init) as Model
    }
    if (data.exampleShape.length < 2) {
      return yield* new TrainingConfigInvalid({
        field: "model",
        problem: `a conv net needs images; the dataset's examples have shape [${data.exampleShape.join(", ")}]`
      })
    }
    const shape = { ...spec, image: data.exampleShape, hiddenLayers: config.hiddenLayers, classes: data.classes }
    return ConvNet.initialize(shape, neurons, config.initializer, init) as Model
  })

/** The first non-finite value among the model's variables, as text, if any. */
const nonFinite = (model: Model): string | undefined => {
  for (const variable of model.variables()) {
    const values = variable.dataSync()
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) return String(values[i])
    }
  }
  return undefined
}

interface CandidateRun {
  readonly summary: Omit<LearningRateCandidate, "verdict">
  readonly epochs: ReadonlyArray<EpochMetrics>
  readonly weights: ModelWeights
  readonly stoppedEarly: boolean
  readonly initialDiagnostics: EpochDiagnostics | undefined
}

export class Trainer extends Context.Service<Trainer, {
  /** Trains; a run whose every learning rate diverged ends in a result with `diverged` set. */
  readonly run: (
    config: TrainingConfig,
    hooks?: TrainingHooks
  ) => Effect.Effect<TrainingResult, TrainingFailure, Scope.Scope>
}>()("@rectifier/train/Trainer") {
  static readonly layer: Layer.Layer<Trainer, never, Dataset | Rng | TensorBackend> = Layer.effect(
    Trainer,
    Effect.gen(function*() {
      const data = yield* Dataset
      const rng = yield* Rng
      const { capabilities } = yield* TensorBackend

      const diagnose = (model: Model, config: TrainingConfig): EpochDiagnostics | undefined => {
        const examples = Math.min(config.diagnosticExamples ?? DEFAULT_DIAGNOSTIC_EXAMPLES, data.validation.count)
        if (examples === 0) return undefined
        const gradientRows = Math.min(GRADIENT_EXAMPLES, data.train.count)
        const batch = gatherBatch(data.train, data.classes, identityOrder(gradientRows), 0, gradientRows)
        const noise = rng.stream("diagnostics")
        return {
          gradientNorms: gradientNorms(model, batch, data.train.features, data.classes, config.l1Penalty, noise),
          gradientExamples: gradientRows,
          examples,
          activationEdges: ACTIVATION_EDGES,
          layers: layerStatistics(model, data.validation, examples, config.evaluationBatchSize, noise)
        }
      }

      /** One learning rate's run, in its own scope; returns its best weights as plain arrays. */
      const runCandidate = (
        config: TrainingConfig,
        learningRate: number,
        hooks: TrainingHooks,
        rivals: ReadonlyArray<CandidateRun>
      ) =>
        Effect.scoped(Effect.gen(function*() {
          const model = yield* Effect.acquireRelease(buildModel(config, data, rng), (m) => Effect.sync(() => m.dispose()))
          if (hooks.initialHiddenWeights !== undefined) yield* startFrom(model, hooks.initialHiddenWeights, config)
          const initialDiagnostics = diagnose(model, config)
          const optimizer = yield* Effect.acquireRelease(
            Effect.sync(() =>
              new Sgd(model.variables(), model.weightVariables(), {
                momentum: config.momentum ?? 0,
                weightDecay: config.weightDecay ?? 0
              }, capabilities.sgd.update)
            ),
            (sgd) => Effect.sync(() => sgd.dispose())
          )
          let shuffle = rng.stream("shuffle")
          let noise = rng.stream("activation-noise")
          const epochs: Array<EpochMetrics> = []
          let best: (BestEpoch & { weights: ModelWeights }) | undefined
          const saved: Option.Option<Checkpoint> = hooks.checkpoints === undefined
            ? Option.none()
            : yield* hooks.checkpoints.load(learningRate)
          if (Option.isSome(saved)) {
            const checkpoint = saved.value
            model.restore(checkpoint.weights)
            if (checkpoint.momentum !== undefined) optimizer.restoreState(flatten(checkpoint.momentum))
            shuffle = RandomStream.fromState(checkpoint.streams["shuffle"]!)
            noise = RandomStream.fromState(checkpoint.streams["activation-noise"]!)
            epochs.push(...checkpoint.epochs)
            best = checkpoint.best
          }
          const lastGood = model.snapshot()
          let diverged: Divergence | undefined
          let stoppedEarly = false
          let stop: CandidateStop = { reason: "epochs", detail: `ran all ${config.epochs} epochs` }
          const rivalCurves = rivals.map((r) => ({ learningRate: r.summary.learningRate, curve: r.summary.curve }))
          for (let epoch = epochs.length + 1; epoch <= config.epochs; epoch++) {
            if (config.patience !== undefined && best !== undefined && epoch - 1 - best.epoch >= config.patience) {
              stoppedEarly = true
              stop = {
                reason: "patience",
                detail: `no lower validation error in the ${config.patience} epochs after epoch ${best.epoch}`
              }
              break
            }
            const pruned = config.candidatePruning === undefined
              ? undefined
              : pruneReason(epochs.map(curveEpoch), rivalCurves, config.candidatePruning, data.classes)
            if (pruned !== undefined) {
              stoppedEarly = true
              stop = pruned
              break
            }
            const started = performance.now()
            const pass = yield* runEpoch(
              model, optimizer, learningRate, data.train, data.classes, config, shuffle, noise, epoch, hooks.onSteps
            )
            if ("diverged" in pass) {
              diverged = pass.diverged
              break
            }
            const bad = nonFinite(model)
            if (bad !== undefined) {
              diverged = { epoch, step: pass.steps, quantity: "weights", value: bad, learningRate }
              break
            }
            const validation = evaluate(model, data.validation, config.evaluationBatchSize, noise)
            const test = evaluate(model, data.test, config.evaluationBatchSize, noise)
            const diagnostics = diagnose(model, config)
            const metrics: EpochMetrics = {
              epoch,
              trainLoss: pass.loss,
              validationError: validation.error,
              testError: test.error,
              seconds: (performance.now() - started) / 1000,
              stepSeconds: pass.seconds / pass.steps,
              rssBytes: process.memoryUsage.rss(),
              ...(diagnostics === undefined ? {} : { diagnostics })
            }
            epochs.push(metrics)
            if (best === undefined || validation.error < best.validationError) {
              best = { epoch, validationError: validation.error, testError: test.error, weights: model.snapshot() }
            }
            if (hooks.checkpoints !== undefined) {
              const momentum = optimizer.state()
              const weights = model.snapshot()
              yield* hooks.checkpoints.save({
                learningRate,
                epoch,
                epochs,
                best,
                streams: { shuffle: shuffle.state(), "activation-noise": noise.state() },
                weights,
                momentum: momentum === undefined ? undefined : unflatten(weights, momentum)
              })
            }
            if (hooks.onEpoch !== undefined) yield* hooks.onEpoch(metrics, config, learningRate)
          }
          if (diverged !== undefined) {
            stop = {
              reason: "diverged",
              detail: `${diverged.quantity} became ${diverged.value} at epoch ${diverged.epoch}, step ${diverged.step}`
            }
          }
          let chosen: BestEpoch & { weights: ModelWeights }
          if (best !== undefined) {
            chosen = best
          } else {
            // The first epoch diverged: the last good weights are the initial ones.
            model.restore(lastGood)
            const validation = evaluate(model, data.validation, config.evaluationBatchSize, noise)
            const test = evaluate(model, data.test, config.evaluationBatchSize, noise)
            chosen = { epoch: 0, validationError: validation.error, testError: test.error, weights: lastGood }
          }
          const run: CandidateRun = {
            summary: {
              learningRate,
              bestEpoch: chosen.epoch,
              validationError: chosen.validationError,
              testError: chosen.testError,
              epochsRun: epochs.length,
              ...(diverged === undefined ? {} : { diverged }),
              stop,
              curve: epochs.map(curveEpoch)
            },
            epochs,
            weights: chosen.weights,
            stoppedEarly,
            initialDiagnostics
          }
          return run
        }))

      const run = Effect.fn("Trainer.run")(function*(config: TrainingConfig, hooks: TrainingHooks = {}) {
        const runs: Array<CandidateRun> = []
        for (const learningRate of learningRatesOf(config)) {
          runs.push(yield* runCandidate(config, learningRate, hooks, runs))
        }
        // The lowest validation error among runs that did not diverge; if all diverged, the last one.
        const finished = runs.filter((r) => r.summary.diverged === undefined)
        const chosen = finished.length === 0
          ? runs[runs.length - 1]!
          : finished.reduce((a, b) => (b.summary.validationError < a.summary.validationError ? b : a))
        const judged = verdicts(runs.map((r) => r.summary), runs.indexOf(chosen))
        const model = yield* Effect.acquireRelease(buildModel(config, data, rng), (m) => Effect.sync(() => m.dispose()))
        model.restore(chosen.weights)
        const result: TrainingResult = {
          epochs: chosen.epochs,
          bestEpoch: chosen.summary.bestEpoch,
          validationError: chosen.summary.validationError,
          testError: chosen.summary.testError,
          learningRate: chosen.summary.learningRate,
          candidates: runs.map((r, i) => ({ ...r.summary, verdict: judged[i]! })),
          stoppedEarly: chosen.stoppedEarly,
          initialDiagnostics: chosen.initialDiagnostics,
          diverged: chosen.summary.diverged,
          stalled: blownUp(chosen, data.classes),
          model
        }
        return result
      })

      return Trainer.of({ run })
    })
  )
}

/**
 * Why a run's kept weights are a blow-up, if they are: a validation error
 * within 10% of chance while the last epoch's training cost is over ten times
 * that of a uniform guess (ln classes). A net that has merely not learned yet
 * (a tiny or short run) has a cost near ln classes and is not flagged.
 */
const blownUp = (run: CandidateRun, classes: number): string | undefined => {
  const last = run.epochs[run.epochs.length - 1]
  const uniform = Math.log(classes)
  if (run.summary.diverged !== undefined || last === undefined) return undefined
  if (!stalled(run.summary.validationError, classes) || !(last.trainLoss > 10 * uniform)) return undefined
  return `validation error ${(100 * run.summary.validationError).toFixed(2)}% at its best epoch, within 10% of chance ` +
    `(${(100 * (1 - 1 / classes)).toFixed(2)}%), with a training cost of ${last.trainLoss.toPrecision(3)}, over ten ` +
    `times a uniform guess's ${uniform.toFixed(2)}: the net blew up and learned nothing`
}

/** The part of an epoch's metrics a candidate's learning curve keeps. */
const curveEpoch = (metrics: EpochMetrics): CandidateEpoch => ({
  epoch: metrics.epoch,
  trainLoss: metrics.trainLoss,
  validationError: metrics.validationError,
  testError: metrics.testError,
  seconds: metrics.seconds
})

/** Loads pre-trained hidden layers into a fresh model after checking their shapes. */
const startFrom = (model: Model, initial: ModelWeights, config: TrainingConfig) =>
  Effect.gen(function*() {
    const fresh = model.snapshot()
    if (initial.layers.length !== fresh.layers.length - 1) {
      return yield* new TrainingConfigInvalid({
        field: "initialHiddenWeights",
        problem: `holds ${initial.layers.length} layers, the model has ${config.hiddenLayers.length} hidden layers`
      })
    }
    for (const [l, layer] of initial.layers.entries()) {
      const target = fresh.layers[l]!
      if (layer.fanIn !== target.fanIn || layer.fanOut !== target.fanOut) {
        return yield* new TrainingConfigInvalid({
          field: "initialHiddenWeights",
          problem: `layer ${l + 1} is ${layer.fanIn}x${layer.fanOut}, the model expects ${target.fanIn}x${target.fanOut}`
        })
      }
    }
    model.restore({ layers: [...initial.layers, fresh.layers[fresh.layers.length - 1]!] })
  })

/** One pass over the training set in a fresh random order: the mean minibatch cost, or where it diverged. */
const runEpoch = (
  model: Model,
  optimizer: Sgd,
  learningRate: number,
  set: LabelledSet,
  classes: number,
  config: TrainingConfig,
  shuffle: RandomStream,
  noise: RandomStream,
  epoch: number,
  onSteps: TrainingHooks["onSteps"]
) =>
  Effect.gen(function*() {
    const order = shuffle.permutation(set.count)
    const steps = Math.ceil(set.count / config.batchSize)
    const context = { training: true, noise }
    let total = 0
    let seconds = 0
    for (let first = 0; first < steps; first += STEPS_PER_SLICE) {
      const last = Math.min(steps, first + STEPS_PER_SLICE)
      const failure = yield* Effect.sync(() => {
        const started = performance.now()
        try {
          for (let step = first; step < last; step++) {
            const start = step * config.batchSize
            const batch = gatherBatch(set, classes, order, start, Math.min(set.count, start + config.batchSize))
            const loss = tf.tidy(() => {
              const inputs = tf.tensor2d(batch.inputs, [batch.rows, set.features])
              const targets = tf.tensor2d(batch.targets, [batch.rows, classes])
              return optimizer.step(() => modelCost(model, inputs, targets, config.l1Penalty, context), learningRate)
            })
            if (!Number.isFinite(loss)) {
              const diverged: Divergence = { epoch, step: step + 1, quantity: "cost", value: String(loss), learningRate }
              return diverged
            }
            total += loss
          }
          return undefined
        } finally {
          seconds += (performance.now() - started) / 1000
        }
      })
      if (failure !== undefined) return { diverged: failure }
      onSteps?.({ epoch, step: last, steps, learningRate })
      yield* Effect.yieldNow
    }
    return { loss: total / steps, steps, seconds }
  })
