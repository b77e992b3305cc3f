/**
 * The Trainer stage: minibatch SGD on the run's dataset, evaluated after each
 * epoch on the validation and test sets; the model kept is the one from the
 * epoch with the lowest validation error.
 */
import { resolveActivation } from "@rectifier/activations"
import { TensorBackend } from "@rectifier/backend"
import { type RandomStream, Rng } from "@rectifier/core"
import { Dataset, type LabelledSet } from "@rectifier/datasets"
import * as tf from "@tensorflow/tfjs-core"
import { Context, Effect, Layer, type Scope } from "effect"
import { evaluate } from "./Evaluation.ts"
import { Mlp } from "./Mlp.ts"
import type { ModelWeights } from "./ModelWeights.ts"
import type { TrainingConfig } from "./TrainingConfig.ts"
import { TrainingConfigInvalid, TrainingDiverged } from "./TrainingError.ts"

export interface EpochMetrics {
  readonly epoch: number
  /** Mean cost (NLL + L1 term) over the epoch's minibatches. */
  readonly trainLoss: number
  readonly validationError: number
  readonly testError: number
  /** Wall time of the epoch, evaluation included. */
  readonly seconds: number
}

export interface TrainingResult {
  readonly epochs: ReadonlyArray<EpochMetrics>
  /** 1-based epoch whose weights the model holds. */
  readonly bestEpoch: number
  readonly validationError: number
  readonly testError: number
  /** The trained model (best validation epoch), alive until the caller's scope closes. */
  readonly model: Mlp
}

export interface TrainingHooks {
  /** Called after each epoch, e.g. to print progress. */
  readonly onEpoch?: (metrics: EpochMetrics, config: TrainingConfig) => Effect.Effect<void>
  /** Hidden-layer weights to start from (greedy pre-training); the output layer starts fresh. */
  readonly initialHiddenWeights?: ModelWeights
}

/** Steps run between two yields to the Effect scheduler (keeps the CLI interruptible). */
const STEPS_PER_SLICE = 50

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

export class Trainer extends Context.Service<Trainer, {
  readonly train: (
    config: TrainingConfig,
    hooks?: TrainingHooks
  ) => Effect.Effect<TrainingResult, TrainingDiverged | TrainingConfigInvalid, Scope.Scope>
}>()("@rectifier/train/Trainer") {
  static readonly layer: Layer.Layer<Trainer, never, Dataset | Rng | TensorBackend> = Layer.effect(
    Trainer,
    Effect.gen(function*() {
      const data = yield* Dataset
      const rng = yield* Rng
      yield* TensorBackend

      const train = Effect.fnUntraced(function*(config: TrainingConfig, hooks: TrainingHooks = {}) {
        const shape = { inputs: data.train.features, hiddenLayers: config.hiddenLayers, classes: data.classes }
        const neuron = resolveActivation(config.activation)
        const model = yield* Effect.acquireRelease(
          Effect.sync(() => Mlp.initialize(shape, neuron, config.initializer, rng.stream("init"))),
          (model) => Effect.sync(() => model.dispose())
        )
        if (hooks.initialHiddenWeights !== undefined) {
          yield* startFrom(model, hooks.initialHiddenWeights, config)
        }
        const shuffle = rng.stream("shuffle")
        const noise = rng.stream("activation-noise")
        const optimizer = tf.train.sgd(config.learningRate)
        yield* Effect.addFinalizer(() => Effect.sync(() => optimizer.dispose()))

        const epochs: Array<EpochMetrics> = []
        let best: { epoch: number; validationError: number; testError: number; weights: ModelWeights } | undefined
        for (let epoch = 1; epoch <= config.epochs; epoch++) {
          const started = performance.now()
          const trainLoss = yield* runEpoch(model, optimizer, data.train, data.classes, config, shuffle, noise, epoch)
          const validation = evaluate(model, data.validation, config.evaluationBatchSize, noise)
          const test = evaluate(model, data.test, config.evaluationBatchSize, noise)
          const metrics: EpochMetrics = {
            epoch,
            trainLoss,
            validationError: validation.error,
            testError: test.error,
            seconds: (performance.now() - started) / 1000
          }
          epochs.push(metrics)
          if (best === undefined || validation.error < best.validationError) {
            best = { epoch, validationError: validation.error, testError: test.error, weights: model.snapshot() }
          }
          if (hooks.onEpoch !== undefined) yield* hooks.onEpoch(metrics, config)
        }
        const chosen = best!
        if (chosen.epoch !== config.epochs) model.restore(chosen.weights)
        const result: TrainingResult = {
          epochs,
          bestEpoch: chosen.epoch,
          validationError: chosen.validationError,
          testError: chosen.testError,
          model
        }
        return result
      })
      return Trainer.of({ train })
    })
  )
}

/** Loads pre-trained hidden layers into a fresh model after checking their shapes. */
const startFrom = (model: Mlp, initial: ModelWeights, config: TrainingConfig) =>
  Effect.gen(function*() {
    const fresh = model.snapshot()
    if (initial.layers.length !== config.hiddenLayers.length) {
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

/** One pass over the training set in a fresh random order; returns the mean minibatch cost. */
const runEpoch = (
  model: Mlp,
  optimizer: tf.Optimizer,
  set: LabelledSet,
  classes: number,
  config: TrainingConfig,
  shuffle: RandomStream,
  noise: RandomStream,
  epoch: number
) =>
  Effect.gen(function*() {
    const order = shuffle.permutation(set.count)
    const steps = Math.ceil(set.count / config.batchSize)
    const variables = model.variables()
    const context = { training: true, noise }
    let total = 0
    for (let first = 0; first < steps; first += STEPS_PER_SLICE) {
      const last = Math.min(steps, first + STEPS_PER_SLICE)
      const failure = yield* Effect.sync(() => {
        for (let step = first; step < last; step++) {
          const start = step * config.batchSize
          const batch = gatherBatch(set, classes, order, start, Math.min(set.count, start + config.batchSize))
          const loss = tf.tidy(() => {
            const inputs = tf.tensor2d(batch.inputs, [batch.rows, set.features])
            const targets = tf.tensor2d(batch.targets, [batch.rows, classes])
            const cost = optimizer.minimize(
              () => model.cost(inputs, targets, config.l1Penalty, context),
              true,
              variables
            )
            return cost!.dataSync()[0]!
          })
          if (!Number.isFinite(loss)) return new TrainingDiverged({ epoch, step: step + 1, loss })
          total += loss
        }
        return undefined
      })
      if (failure !== undefined) return yield* failure
      yield* Effect.yieldNow
    }
    return total / steps
  })
