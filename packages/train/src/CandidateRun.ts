/**
 * One learning rate's run, the candidate of the selection: a fresh model
 * (or pre-trained hidden layers), then epoch after epoch (Epoch.ts) each
 * evaluated on the validation and test sets, until the epochs run out,
 * patience runs out, the candidate is pruned (Selection.ts) or a NaN or
 * infinite cost or weight stops it as diverged. It keeps its epoch of lowest
 * validation error. After every epoch the run can be checkpointed, and a
 * checkpointed run resumes bit for bit.
 */
import { resolveActivation } from "@rectifier/activations"
import type { Capabilities, FusedDenseLayer } from "@rectifier/backend"
import { RandomStream, type Rng } from "@rectifier/core"
import { slice, type SplitDataset } from "@rectifier/datasets"
import { Effect, Option } from "effect"
import type { BestEpoch, Checkpoint } from "./Checkpoint.ts"
import { ConvNet } from "./ConvNet.ts"
import { ACTIVATION_EDGES, type EpochDiagnostics, gradientNorms, layerStatistics } from "./Diagnostics.ts"
import { batchOf, runEpoch } from "./Epoch.ts"
import type { EpochMetrics } from "./EpochMetrics.ts"
import { classificationError } from "./Evaluation.ts"
import { Mlp } from "./Mlp.ts"
import type { Model } from "./Model.ts"
import type { DenseWeights, ModelWeights } from "./ModelWeights.ts"
import { type CandidateEpoch, type CandidateStop, type LearningRateCandidate, pruneReason } from "./Selection.ts"
import { Sgd } from "./Sgd.ts"
import type { TrainingConfig } from "./TrainingConfig.ts"
import { type Divergence, TrainingConfigInvalid } from "./TrainingError.ts"
import type { TrainingHooks } from "./TrainingHooks.ts"

/** Training examples (the first ones) whose gradient the diagnostics measure. */
const GRADIENT_EXAMPLES = 256
const DEFAULT_DIAGNOSTIC_EXAMPLES = 1000

/** What every candidate of a run trains on and draws from. */
export interface CandidateContext {
  readonly data: SplitDataset
  readonly rng: Rng["Service"]
  readonly capabilities: Capabilities
}

/** A finished candidate: its summary for the selection, its epochs and its best weights. */
export interface CandidateRun {
  readonly summary: Omit<LearningRateCandidate, "verdict">
  readonly epochs: ReadonlyArray<EpochMetrics>
  readonly weights: ModelWeights
  readonly stoppedEarly: boolean
  readonly initialDiagnostics: EpochDiagnostics | undefined
}

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

/**
 * Builds a fresh model for `config` on `data` (the "init" stream draws its weights), its dense
 * layers through `fused` (the backend's `capabilities.denseLayer`) where that is given.
 */
export const buildModel = (config: TrainingConfig, data: SplitDataset, rng: Rng["Service"], fused?: FusedDenseLayer) =>
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
      return Mlp.initialize(shape, neurons, config.initializer, init, fused) as Model
    }
    if (data.exampleShape.length < 2) {
      return yield* new TrainingConfigInvalid({
        field: "model",
        problem: `a conv net needs images; the dataset's examples have shape [${data.exampleShape.join(", ")}]`
      })
    }
    const shape = { ...spec, image: data.exampleShape, hiddenLayers: config.hiddenLayers, classes: data.classes }
    return ConvNet.initialize(shape, neurons, config.initializer, init, fused) as Model
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

/** The diagnostics of `model` now (gradient norms, per-layer statistics), unless none are asked for. */
const diagnose = ({ data, rng }: CandidateContext, model: Model, config: TrainingConfig): EpochDiagnostics | undefined => {
  const examples = Math.min(config.diagnosticExamples ?? DEFAULT_DIAGNOSTIC_EXAMPLES, data.validation.count)
  if (examples === 0) return undefined
  const gradientRows = Math.min(GRADIENT_EXAMPLES, data.train.count)
  const batch = batchOf(slice(data.train, 0, gradientRows), data.classes)
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
export const runCandidate = (
  context: CandidateContext,
  config: TrainingConfig,
  learningRate: number,
  hooks: TrainingHooks,
  rivals: ReadonlyArray<CandidateRun>
) =>
  Effect.scoped(Effect.gen(function*() {
    const { capabilities, data, rng } = context
    const model = yield* Effect.acquireRelease(
      buildModel(config, data, rng, capabilities.denseLayer),
      (m) => Effect.sync(() => m.dispose())
    )
    if (hooks.initialHiddenWeights !== undefined) yield* startFrom(model, hooks.initialHiddenWeights, config)
    const initialDiagnostics = diagnose(context, model, config)
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
      const validationError = classificationError(model, data.validation, config.evaluationBatchSize, noise)
      const testError = classificationError(model, data.test, config.evaluationBatchSize, noise)
      const diagnostics = diagnose(context, model, config)
      const metrics: EpochMetrics = {
        epoch,
        trainLoss: pass.loss,
        validationError,
        testError,
        seconds: (performance.now() - started) / 1000,
        stepSeconds: pass.seconds / pass.steps,
        rssBytes: process.memoryUsage.rss(),
        ...(diagnostics === undefined ? {} : { diagnostics })
      }
      epochs.push(metrics)
      if (best === undefined || validationError < best.validationError) {
        best = { epoch, validationError, testError, weights: model.snapshot() }
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
      const validationError = classificationError(model, data.validation, config.evaluationBatchSize, noise)
      const testError = classificationError(model, data.test, config.evaluationBatchSize, noise)
      chosen = { epoch: 0, validationError, testError, weights: lastGood }
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
