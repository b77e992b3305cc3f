/**
 * Training one RBM by contrastive divergence with the practical guide's
 * recipe: minibatch SGD with momentum (0.5 for the first epochs, then 0.9),
 * L2 weight cost on the weights only, an optional sparsity target, and
 * per-epoch monitoring (reconstruction error, mean free energy of training
 * vs validation data, and the exact log-likelihood for small models).
 * Persistent chains (PCD) carry their hidden states from one batch to the next.
 */
import { type Blas, type Capabilities, TensorBackend } from "@rectifier/backend"
import type { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import {
  biasStatistics,
  type CdStatistics,
  cdStatistics,
  disposeTensors,
  freeEnergy,
  type RbmTensors,
  type Reconstruction,
  reconstructionError,
  rowWeight
} from "./ContrastiveDivergence.ts"
import { exactLogLikelihood, isEnumerable, logPartition } from "./ExactLikelihood.ts"
import type { SparsityTarget } from "./PretrainConfig.ts"
import type { RbmParameters } from "./Rbm.ts"
import { gatherRows, type Rows, sliceRows } from "./Rows.ts"
import { stepWeights, transposeInto, type WeightBuffers } from "./WeightStep.ts"

/**
 * The protocol `trainRbm` follows: the hyperparameters of an
 * `RbmPretrainConfig`, field for field (a decoded one serves as it is; see
 * there for meanings and defaults).
 */
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
  /**
   * Squared error of the one-step reconstruction from the data, summed over
   * units, mean over examples: for CD over the epoch's batches as they were
   * trained (it is their negative phase's first step), for PCD over the
   * monitored training examples at the end of the epoch (its chains never
   * reconstruct the data, so a per-batch figure would cost a product a batch).
   */
  readonly reconstructionError: number
  /** Mean free energy of the monitored training and validation examples (binary hidden units only). */
  readonly freeEnergyTrain?: number
  readonly freeEnergyValidation?: number
  /** Exact mean log-likelihood in nats (small models with binary hidden units only). */
  readonly logLikelihoodTrain?: number
  readonly logLikelihoodValidation?: number
  readonly seconds: number
}

/** The seeded streams one RBM's training draws from, one per kind of draw. */
export interface RbmStreams {
  /** Shuffles the training examples each epoch. */
  readonly order: RandomStream
  /** Every sampling draw of the Gibbs chains. */
  readonly sampling: RandomStream
  /** The hidden samples of monitoring (PCD's reconstruction error), apart so that monitoring never moves training's draws. */
  readonly monitor: RandomStream
}

/**
 * The parameters and their momentum steps live on the JavaScript side and are
 * updated in place (see WeightStep.ts), with the backend's BLAS routines when
 * it offers them. Backends whose products do not read a transposed operand in
 * place also get the weights transposed, refreshed after each update, because
 * their matMul with a transposed operand is slow; the native one (OpenBLAS)
 * reads the weights transposed in place.
 */
interface State {
  readonly blas: Blas | undefined
  readonly shape: Pick<RbmParameters, "visibleUnits" | "hiddenUnits" | "visible" | "hidden">
  readonly weights: Float32Array
  readonly weightsT: Float32Array | undefined
  readonly visibleBias: Float32Array
  readonly hiddenBias: Float32Array
  /** The weights (the same array as `weights`) with their momentum step. */
  readonly weightBuffers: WeightBuffers
  readonly visibleStep: Float32Array
  readonly hiddenStep: Float32Array
  /** The persistent chains' hidden states (PCD), once started. */
  chain: tf.Tensor2D | undefined
  /** The running mean of hidden activity (sparsity target). */
  activity: Float32Array | undefined
}

const initialState = (rbm: RbmParameters, capabilities: Capabilities): State => {
  const weights = Float32Array.from(rbm.weights)
  let weightsT: Float32Array | undefined
  if (!capabilities.transposedOperandsInPlace) {
    weightsT = new Float32Array(weights.length)
    transposeInto(weights, rbm.visible, rbm.hidden, weightsT)
  }
  return {
    blas: capabilities.blas,
    shape: { visibleUnits: rbm.visibleUnits, hiddenUnits: rbm.hiddenUnits, visible: rbm.visible, hidden: rbm.hidden },
    weights,
    weightsT,
    visibleBias: Float32Array.from(rbm.visibleBias),
    hiddenBias: Float32Array.from(rbm.hiddenBias),
    weightBuffers: {
      visible: rbm.visible,
      hidden: rbm.hidden,
      weights,
      step: new Float32Array(weights.length),
      spare: new Float32Array(weights.length)
    },
    visibleStep: new Float32Array(rbm.visible),
    hiddenStep: new Float32Array(rbm.hidden),
    chain: undefined,
    activity: undefined
  }
}

const parametersOf = (state: State): RbmParameters => ({
  ...state.shape,
  weights: Float32Array.from(state.weights),
  visibleBias: Float32Array.from(state.visibleBias),
  hiddenBias: Float32Array.from(state.hiddenBias)
})

const tensorsOf = (state: State): RbmTensors => ({
  visibleUnits: state.shape.visibleUnits,
  hiddenUnits: state.shape.hiddenUnits,
  weights: tf.tensor2d(state.weights, [state.shape.visible, state.shape.hidden]),
  ...(state.weightsT === undefined ? {} : { weightsT: tf.tensor2d(state.weightsT, [state.shape.hidden, state.shape.visible]) }),
  visibleBias: tf.tensor1d(state.visibleBias),
  hiddenBias: tf.tensor1d(state.hiddenBias),
  ...(state.blas === undefined ? {} : { bernoulli: state.blas.bernoulli })
})

const read = (tensor: tf.Tensor): Float32Array => {
  const values = tensor.dataSync() as Float32Array
  tensor.dispose()
  return values
}

/** One parameter update from one batch; returns the batch's summed reconstruction error (CD only). */
const step = (
  state: State,
  batch: tf.Tensor2D,
  options: RbmTrainingOptions,
  momentum: number,
  sampling: RandomStream
): number | undefined => {
  const { learningRate, weightCost } = options
  const tensors = tensorsOf(state)
  const statistics: Omit<CdStatistics, "positiveRows"> = tf.tidy(() => {
    const chain = options.method === "pcd" ? state.chain ?? "start" : undefined
    const { positiveRows: _, ...rest } = cdStatistics(tensors, batch, options, sampling, chain)
    return rest
  })
  disposeTensors(tensors)
  if (statistics.chain !== undefined) {
    state.chain?.dispose()
    state.chain = statistics.chain
  }
  const positiveRows = batch.shape[0]
  const rows = statistics.visibles.shape[0]
  let visibles = read(statistics.visibles)
  let hiddens = read(statistics.hiddens)
  const error = statistics.reconstructionError === undefined ? undefined : read(statistics.reconstructionError)[0]!
  const { hiddenActivity, hiddenBias: hiddenGradient, visibleActivity, visibleBias: visibleGradient } = biasStatistics(
    read(statistics.visibleSums),
    read(statistics.hiddenSums)
  )
  const { hidden, visible } = state.shape
  // D and the learning rate folded into the hidden factor (read out, so ours to change):
  // visibles^T hiddens is then the weight change itself.
  for (let r = 0; r < rows; r++) {
    const scale = learningRate * rowWeight(r, rows, positiveRows)
    for (let at = r * hidden; at < (r + 1) * hidden; at++) hiddens[at]! *= scale
  }
  let factorRows = rows
  if (options.sparsity !== undefined) {
    // The sparsity penalty's gradient on each hidden unit's input is cost * (q - target); on the
    // weights it is the outer product of the visible activity with it, one more row of the factors.
    const { cost, decay, target } = options.sparsity
    const previous = state.activity
    const activity = previous === undefined
      ? Float32Array.from(hiddenActivity)
      : previous.map((q, j) => decay * q + (1 - decay) * hiddenActivity[j]!)
    state.activity = activity
    const penalty = activity.map((q) => cost * (q - target))
    for (let j = 0; j < hidden; j++) hiddenGradient[j]! -= penalty[j]!
    const extendedVisibles = new Float32Array((rows + 1) * visible)
    extendedVisibles.set(visibles)
    extendedVisibles.set(visibleActivity, rows * visible)
    const extendedHiddens = new Float32Array((rows + 1) * hidden)
    extendedHiddens.set(hiddens)
    for (let j = 0; j < hidden; j++) extendedHiddens[rows * hidden + j] = -learningRate * penalty[j]!
    visibles = extendedVisibles
    hiddens = extendedHiddens
    factorRows = rows + 1
  }
  stepWeights(
    state.weightBuffers,
    { rows: factorRows, visibles, hiddens },
    momentum,
    learningRate * weightCost,
    state.blas
  )
  if (state.weightsT !== undefined) transposeInto(state.weights, visible, hidden, state.weightsT)
  for (let i = 0; i < visible; i++) {
    state.visibleStep[i] = momentum * state.visibleStep[i]! + learningRate * visibleGradient[i]!
    state.visibleBias[i]! += state.visibleStep[i]!
  }
  for (let j = 0; j < hidden; j++) {
    state.hiddenStep[j] = momentum * state.hiddenStep[j]! + learningRate * hiddenGradient[j]!
    state.hiddenBias[j]! += state.hiddenStep[j]!
  }
  return error
}

const MONITOR_CHUNK = 1000

/** The mean over the rows of a per-batch sum, computed in chunks. */
const meanOver = (rows: Rows, sum: (chunk: tf.Tensor2D) => tf.Scalar): number => {
  let total = 0
  for (let start = 0; start < rows.count; start += MONITOR_CHUNK) {
    const end = Math.min(rows.count, start + MONITOR_CHUNK)
    const chunk = sliceRows(rows, start, end)
    total += tf.tidy(() => sum(tf.tensor2d(chunk.inputs, [chunk.count, chunk.features])).dataSync()[0]!)
  }
  return total / rows.count
}

const meanFreeEnergy = (rbm: RbmTensors, rows: Rows): number => meanOver(rows, (chunk) => tf.sum(freeEnergy(rbm, chunk)))

/** PCD's reconstruction error: on the monitored training examples, with hidden samples from the monitoring stream. */
const monitoredReconstructionError = (state: State, options: RbmTrainingOptions, train: Rows, stream: RandomStream): number => {
  const rbm = tensorsOf(state)
  const error = meanOver(sliceRows(train, 0, Math.min(train.count, options.monitorSize)), (chunk) => reconstructionError(rbm, chunk, stream))
  disposeTensors(rbm)
  return error
}

const monitor = (
  state: State,
  options: RbmTrainingOptions,
  train: Rows,
  validation: Rows | undefined
): Pick<RbmEpoch, "freeEnergyTrain" | "freeEnergyValidation" | "logLikelihoodTrain" | "logLikelihoodValidation"> => {
  if (state.shape.hiddenUnits !== "bernoulli") return {}
  const trainSubset = sliceRows(train, 0, Math.min(train.count, options.monitorSize))
  const validationSubset = validation === undefined
    ? undefined
    : sliceRows(validation, 0, Math.min(validation.count, options.monitorSize))
  const rbm = tensorsOf(state)
  const freeEnergies = {
    freeEnergyTrain: meanFreeEnergy(rbm, trainSubset),
    ...(validationSubset === undefined ? {} : { freeEnergyValidation: meanFreeEnergy(rbm, validationSubset) })
  }
  disposeTensors(rbm)
  const parameters = parametersOf(state)
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
 * Trains `initial` on `train` for `options.epochs` epochs on the held tensor
 * backend, logging each epoch; returns the trained parameters and the
 * per-epoch curve.
 */
export const trainRbm = (
  initial: RbmParameters,
  options: RbmTrainingOptions,
  train: Rows,
  validation: Rows | undefined,
  streams: RbmStreams,
  label = "rbm"
): Effect.Effect<{ readonly rbm: RbmParameters; readonly curve: ReadonlyArray<RbmEpoch> }, never, TensorBackend> =>
  TensorBackend.use(({ capabilities }) => Effect.acquireUseRelease(
    Effect.sync(() => initialState(initial, capabilities)),
    (state) =>
      Effect.gen(function*() {
        const curve: Array<RbmEpoch> = []
        const batchSize = Math.min(options.batchSize, train.count)
        for (let epoch = 0; epoch < options.epochs; epoch++) {
          const record = yield* Effect.sync((): RbmEpoch => {
            const started = performance.now()
            const momentum = momentumAt(options, epoch)
            const order = streams.order.permutation(train.count)
            let error = 0
            for (let start = 0; start < train.count; start += batchSize) {
              const end = Math.min(train.count, start + batchSize)
              const batch = tf.tensor2d(gatherRows(train, order, start, end), [end - start, train.features])
              error += step(state, batch, options, momentum, streams.sampling) ?? 0
              batch.dispose()
            }
            const seconds = (performance.now() - started) / 1000
            return {
              epoch: epoch + 1,
              momentum,
              reconstructionError: options.method === "pcd"
                ? monitoredReconstructionError(state, options, train, streams.monitor)
                : error / train.count,
              ...monitor(state, options, train, validation),
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
        return { rbm: parametersOf(state), curve }
      }),
    (state) => Effect.sync(() => state.chain?.dispose())
  ))
