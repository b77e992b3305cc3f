/**
 * Training one RBM by contrastive divergence with the practical guide's
 * recipe: minibatch SGD with momentum (0.5 for the first epochs, then 0.9),
 * L2 weight cost on the weights only, an optional sparsity target, and
 * per-epoch monitoring (reconstruction error, mean free energy of training
 * vs validation data, and the exact log-likelihood for small models).
 */
import type { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import {
  cdEstimate,
  disposeTensors,
  freeEnergy,
  fromTensors,
  type RbmTensors,
  type Reconstruction,
  toTensors
} from "./ContrastiveDivergence.ts"
import { exactLogLikelihood, isEnumerable, logPartition } from "./ExactLikelihood.ts"
import type { SparsityTarget } from "./PretrainConfig.ts"
import type { RbmParameters } from "./Rbm.ts"
import { gatherRows, type Rows, sliceRows } from "./Rows.ts"

export interface RbmTrainingOptions {
  readonly epochs: number
  readonly learningRate: number
  readonly batchSize: number
  readonly method: "cd" | "pcd"
  readonly k: number
  readonly reconstruction: Reconstruction
  readonly initialMomentum: number
  readonly finalMomentum: number
  readonly momentumSwitchEpoch: number
  readonly weightCost: number
  readonly sparsity?: SparsityTarget | undefined
  readonly monitorSize: number
  readonly exactLikelihoodMaxHidden: number
}

/** What one epoch of RBM training measured. */
export interface RbmEpoch {
  /** 1-based. */
  readonly epoch: number
  readonly momentum: number
  /** Squared error of the one-step reconstruction from the data, summed over units, mean over examples. */
  readonly reconstructionError: number
  /** Mean free energy of the monitored training and validation examples (binary hidden units only). */
  readonly freeEnergyTrain?: number
  readonly freeEnergyValidation?: number
  /** Exact mean log-likelihood in nats (small models with binary hidden units only). */
  readonly logLikelihoodTrain?: number
  readonly logLikelihoodValidation?: number
  readonly seconds: number
}

export interface RbmStreams {
  /** Shuffles the training examples each epoch. */
  readonly order: RandomStream
  /** Every sampling draw of the Gibbs chains. */
  readonly sampling: RandomStream
}

interface State {
  rbm: RbmTensors
  weightsStep: tf.Tensor2D
  visibleStep: tf.Tensor1D
  hiddenStep: tf.Tensor1D
  chain: tf.Tensor2D | undefined
  activity: tf.Tensor1D | undefined
}

const disposeState = (state: State): void => {
  disposeTensors(state.rbm)
  tf.dispose([state.weightsStep, state.visibleStep, state.hiddenStep])
  if (state.chain !== undefined) state.chain.dispose()
  if (state.activity !== undefined) state.activity.dispose()
}

/** One parameter update from one batch; returns the batch's summed reconstruction error. */
const step = (
  state: State,
  batch: tf.Tensor2D,
  options: RbmTrainingOptions,
  momentum: number,
  sampling: RandomStream
): number => {
  const old = state
  const next = tf.tidy(() => {
    const estimate = cdEstimate(old.rbm, batch, options, sampling, old.chain)
    let weightsGradient = tf.sub(estimate.weights, tf.mul(old.rbm.weights, options.weightCost))
    let hiddenGradient: tf.Tensor1D = estimate.hiddenBias
    let activity: tf.Tensor1D | undefined
    if (options.sparsity !== undefined) {
      const { cost, decay, target } = options.sparsity
      const running: tf.Tensor1D = old.activity === undefined
        ? estimate.hiddenActivity
        : tf.add(tf.mul(old.activity, decay), tf.mul(estimate.hiddenActivity, 1 - decay))
      activity = running
      const penalty = tf.mul(tf.sub(running, target), cost) as tf.Tensor1D
      hiddenGradient = tf.sub(hiddenGradient, penalty)
      weightsGradient = tf.sub(weightsGradient, tf.outerProduct(estimate.visibleActivity, penalty))
    }
    const weightsStep = tf.add(tf.mul(old.weightsStep, momentum), tf.mul(weightsGradient, options.learningRate))
    const visibleStep = tf.add(tf.mul(old.visibleStep, momentum), tf.mul(estimate.visibleBias, options.learningRate))
    const hiddenStep = tf.add(tf.mul(old.hiddenStep, momentum), tf.mul(hiddenGradient, options.learningRate))
    return {
      weights: tf.add(old.rbm.weights, weightsStep) as tf.Tensor2D,
      visibleBias: tf.add(old.rbm.visibleBias, visibleStep) as tf.Tensor1D,
      hiddenBias: tf.add(old.rbm.hiddenBias, hiddenStep) as tf.Tensor1D,
      weightsStep: weightsStep as tf.Tensor2D,
      visibleStep: visibleStep as tf.Tensor1D,
      hiddenStep: hiddenStep as tf.Tensor1D,
      chain: estimate.chain,
      activity,
      error: estimate.reconstructionError
    }
  })
  disposeState(old)
  state.rbm = { ...old.rbm, weights: next.weights, visibleBias: next.visibleBias, hiddenBias: next.hiddenBias }
  state.weightsStep = next.weightsStep
  state.visibleStep = next.visibleStep
  state.hiddenStep = next.hiddenStep
  state.chain = next.chain
  state.activity = next.activity
  const error = next.error.dataSync()[0]!
  next.error.dispose()
  return error
}

const MONITOR_CHUNK = 1000

/** Mean free energy of the rows, computed in chunks. */
const meanFreeEnergy = (rbm: RbmTensors, rows: Rows): number => {
  let total = 0
  for (let start = 0; start < rows.count; start += MONITOR_CHUNK) {
    const end = Math.min(rows.count, start + MONITOR_CHUNK)
    const chunk = sliceRows(rows, start, end)
    total += tf.tidy(() => tf.sum(freeEnergy(rbm, tf.tensor2d(chunk.inputs, [chunk.count, chunk.features]))).dataSync()[0]!)
  }
  return total / rows.count
}

const monitor = (
  rbm: RbmTensors,
  options: RbmTrainingOptions,
  train: Rows,
  validation: Rows | undefined
): Pick<RbmEpoch, "freeEnergyTrain" | "freeEnergyValidation" | "logLikelihoodTrain" | "logLikelihoodValidation"> => {
  if (rbm.hiddenUnits !== "bernoulli") return {}
  const trainSubset = sliceRows(train, 0, Math.min(train.count, options.monitorSize))
  const validationSubset = validation === undefined
    ? undefined
    : sliceRows(validation, 0, Math.min(validation.count, options.monitorSize))
  const freeEnergies = {
    freeEnergyTrain: meanFreeEnergy(rbm, trainSubset),
    ...(validationSubset === undefined ? {} : { freeEnergyValidation: meanFreeEnergy(rbm, validationSubset) })
  }
  if (options.exactLikelihoodMaxHidden <= 0 || rbm.weights.shape[1] > options.exactLikelihoodMaxHidden) {
    return freeEnergies
  }
  const parameters = fromTensors(rbm)
  if (!isEnumerable(parameters, options.exactLikelihoodMaxHidden)) return freeEnergies
  const logZ = logPartition(parameters)
  return {
    ...freeEnergies,
    logLikelihoodTrain: exactLogLikelihood(parameters, trainSubset, logZ),
    ...(validationSubset === undefined ? {} : { logLikelihoodValidation: exactLogLikelihood(parameters, validationSubset, logZ) })
  }
}

/** The momentum of a 0-based epoch. */
export const momentumAt = (options: RbmTrainingOptions, epoch: number): number =>
  epoch < options.momentumSwitchEpoch ? options.initialMomentum : options.finalMomentum

/**
 * Trains `initial` on `train` for `options.epochs` epochs, logging each
 * epoch; returns the trained parameters and the per-epoch curve.
 */
export const trainRbm = (
  initial: RbmParameters,
  options: RbmTrainingOptions,
  train: Rows,
  validation: Rows | undefined,
  streams: RbmStreams,
  label = "rbm"
): Effect.Effect<{ readonly rbm: RbmParameters; readonly curve: ReadonlyArray<RbmEpoch> }> =>
  Effect.acquireUseRelease(
    Effect.sync((): State => {
      const rbm = toTensors(initial)
      return {
        rbm,
        weightsStep: tf.zerosLike(rbm.weights),
        visibleStep: tf.zerosLike(rbm.visibleBias),
        hiddenStep: tf.zerosLike(rbm.hiddenBias),
        chain: undefined,
        activity: undefined
      }
    }),
    (state) =>
      Effect.gen(function*() {
        const curve: Array<RbmEpoch> = []
        const batchSize = Math.min(options.batchSize, train.count)
        for (let epoch = 0; epoch < options.epochs; epoch++) {
          const record = yield* Effect.sync((): RbmEpoch => {
            const started = performance.now()
            const momentum = momentumAt(options, epoch)
            const order = streams.order.permutation(train.count)
            if (options.method === "pcd" && state.chain === undefined) {
              state.chain = tf.tensor2d(gatherRows(train, order, 0, batchSize), [batchSize, train.features])
            }
            let error = 0
            for (let start = 0; start < train.count; start += batchSize) {
              const end = Math.min(train.count, start + batchSize)
              const batch = tf.tensor2d(gatherRows(train, order, start, end), [end - start, train.features])
              error += step(state, batch, options, momentum, streams.sampling)
              batch.dispose()
            }
            const seconds = (performance.now() - started) / 1000
            return {
              epoch: epoch + 1,
              momentum,
              reconstructionError: error / train.count,
              ...monitor(state.rbm, options, train, validation),
              seconds
            }
          })
          curve.push(record)
          yield* Effect.logInfo(
            `${label} epoch ${record.epoch}/${options.epochs}: reconstruction error ${record.reconstructionError.toFixed(4)}` +
              (record.freeEnergyTrain === undefined ? "" : `, free energy train ${record.freeEnergyTrain.toFixed(3)}`) +
              (record.freeEnergyValidation === undefined ? "" : ` / validation ${record.freeEnergyValidation.toFixed(3)}`) +
              (record.logLikelihoodTrain === undefined ? "" : `, log-likelihood ${record.logLikelihoodTrain.toFixed(4)}`) +
              ` (${(train.count / record.seconds).toFixed(0)} examples/s)`
          )
        }
        return { rbm: fromTensors(state.rbm), curve }
      }),
    (state) => Effect.sync(() => disposeState(state))
  )
