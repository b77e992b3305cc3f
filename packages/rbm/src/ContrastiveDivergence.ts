/**
 * The RBM's conditionals on tfjs tensors and one contrastive-divergence
 * estimate of the log-likelihood gradient (CD-k, or persistent CD when the
 * chains' hidden states are given: the form the next Gibbs step starts from,
 * so no product is spent recomputing them). All noise is drawn on the
 * JavaScript side from a seeded stream, so the same seed gives the same
 * estimate on a backend.
 *
 * Following the practical guide, hidden units are driven by sampled states,
 * while the statistics use hidden probabilities; the last visible step uses
 * probabilities (noise-free for Gaussian units) unless `samples` is asked for,
 * which makes the negative statistics an unbiased Rao-Blackwellised estimate.
 */
import type { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { Schema } from "effect"
import type { HiddenUnits, RbmParameters, VisibleUnits } from "./Rbm.ts"

/** What the last visible step of the negative phase uses. */
export const Reconstruction = Schema.Literals(["probabilities", "samples"])
export type Reconstruction = typeof Reconstruction.Type

/**
 * Binary states drawn in bulk by the backend (the native one's `bernoulli`): out[i] = p[i] > u_i
 * for the uniforms of the stream whose state it advances in place, bit for bit the JavaScript draws.
 */
export type BulkBernoulli = (state: Int32Array, probabilities: Float32Array, out: Float32Array) => void

/** An RBM's parameters held as tensors. */
export interface RbmTensors {
  readonly visibleUnits: VisibleUnits
  readonly hiddenUnits: HiddenUnits
  readonly weights: tf.Tensor2D
  /**
   * The weights transposed, [hidden, visible], when the caller keeps them (on
   * backends whose matMul is slow with a transposed operand); otherwise the
   * products read `weights` transposed.
   */
  readonly weightsT?: tf.Tensor2D
  readonly visibleBias: tf.Tensor1D
  readonly hiddenBias: tf.Tensor1D
  /** The backend's bulk sampler of binary states, where it has one (the same states, several times as fast). */
  readonly bernoulli?: BulkBernoulli
}

/** Copies the parameters into tensors on the current tfjs backend (no transposed weights); release them with `disposeTensors`. */
export const toTensors = (rbm: RbmParameters): RbmTensors => ({
  visibleUnits: rbm.visibleUnits,
  hiddenUnits: rbm.hiddenUnits,
  weights: tf.tensor2d(rbm.weights, [rbm.visible, rbm.hidden]),
  visibleBias: tf.tensor1d(rbm.visibleBias),
  hiddenBias: tf.tensor1d(rbm.hiddenBias)
})

/** Reads the tensors back into plain arrays (copies, never views of backend memory); the tensors stay alive. */
export const fromTensors = (rbm: RbmTensors): RbmParameters => {
  const [visible, hidden] = rbm.weights.shape
  return {
    visibleUnits: rbm.visibleUnits,
    hiddenUnits: rbm.hiddenUnits,
    visible,
    hidden,
    // Copies: a backend may hand out its own storage.
    weights: new Float32Array(rbm.weights.dataSync()),
    visibleBias: new Float32Array(rbm.visibleBias.dataSync()),
    hiddenBias: new Float32Array(rbm.hiddenBias.dataSync())
  }
}

/** Releases every tensor of `rbm`, the kept transposed weights included. */
export const disposeTensors = (rbm: RbmTensors): void => {
  rbm.weights.dispose()
  rbm.weightsT?.dispose()
  rbm.visibleBias.dispose()
  rbm.hiddenBias.dispose()
}

const normals = (stream: RandomStream, shape: [number, number]): tf.Tensor2D =>
  tf.tensor2d(stream.fillNormal(new Float32Array(shape[0] * shape[1]), 0, 1), shape)

/** Total input to the hidden units, [batch, hidden]. */
export const hiddenInput = (rbm: RbmTensors, visible: tf.Tensor2D): tf.Tensor2D =>
  tf.add(tf.matMul(visible, rbm.weights), rbm.hiddenBias)

/**
 * The hidden units' expected activity given their input: the probability of
 * being on for binary units, max(0, x) for noisy rectified units.
 */
export const hiddenMean = (units: HiddenUnits, input: tf.Tensor2D): tf.Tensor2D =>
  units === "bernoulli" ? tf.sigmoid(input) : tf.relu(input)

/**
 * Binary states, each on with its probability in `probabilities`: on where
 * the probability exceeds a uniform draw (one draw per unit, in row-major
 * order). The comparison is converted to a number rather than branched on: a
 * branch would be mispredicted about as often as the states are uncertain
 * (2.5 times as slow on 128k random states).
 */
const bernoulli = (probabilities: tf.Tensor2D, stream: RandomStream, bulk: BulkBernoulli | undefined): tf.Tensor2D => {
  const p = probabilities.dataSync() as Float32Array
  const states = new Float32Array(p.length)
  if (bulk !== undefined) {
    stream.advanceWith((state) => bulk(state, p, states))
  } else {
    stream.fillUniform(states, 0, 1)
    for (let i = 0; i < states.length; i++) states[i] = +(p[i]! > states[i]!)
  }
  return tf.tensor2d(states, probabilities.shape)
}

/** A sample of the hidden units given their input. */
export const sampleHidden = (units: HiddenUnits, input: tf.Tensor2D, stream: RandomStream, bulk?: BulkBernoulli): tf.Tensor2D => {
  if (units === "bernoulli") return bernoulli(tf.sigmoid(input), stream, bulk)
  return tf.relu(tf.add(input, tf.mul(tf.sqrt(tf.sigmoid(input)), normals(stream, input.shape)))) as tf.Tensor2D
}

/** The hidden units given visible states: their mean, and the input that noisy rectified units sample from. */
interface HiddenGiven {
  readonly mean: tf.Tensor2D
  readonly input?: tf.Tensor2D
}

/** Binary units' probabilities are one fused product, bias and sigmoid, and their samples are drawn from them. */
const hiddenGiven = (rbm: RbmTensors, visible: tf.Tensor2D): HiddenGiven => {
  if (rbm.hiddenUnits === "bernoulli") {
    return { mean: tf.fused.matMul({ a: visible, b: rbm.weights, bias: rbm.hiddenBias, activation: "sigmoid" }) as tf.Tensor2D }
  }
  const input = hiddenInput(rbm, visible)
  return { mean: tf.relu(input), input }
}

const sampleGiven = (rbm: RbmTensors, given: HiddenGiven, stream: RandomStream): tf.Tensor2D =>
  given.input === undefined ? bernoulli(given.mean, stream, rbm.bernoulli) : sampleHidden(rbm.hiddenUnits, given.input, stream)

/**
 * The visible units' mean given hidden states: probabilities for binary
 * units, the Gaussian means for unit-variance ones, as one fused product,
 * bias and activation. Uses the kept transposed weights when there are any
 * (an explicit transpose is far faster on wasm), otherwise the product with
 * the weights transposed (BLAS reads them in place).
 */
export const visibleMean = (rbm: RbmTensors, hidden: tf.Tensor2D): tf.Tensor2D =>
  tf.fused.matMul({
    a: hidden,
    b: rbm.weightsT ?? rbm.weights,
    transposeB: rbm.weightsT === undefined,
    bias: rbm.visibleBias,
    activation: rbm.visibleUnits === "bernoulli" ? "sigmoid" : "linear"
  }) as tf.Tensor2D

/**
 * A sample of the visible units given their mean: binary states, each on
 * with its probability in `mean` (one uniform draw per unit, row-major), or
 * `mean` plus unit-variance Gaussian noise (one normal draw per unit).
 */
export const sampleVisible = (units: VisibleUnits, mean: tf.Tensor2D, stream: RandomStream, bulk?: BulkBernoulli): tf.Tensor2D =>
  units === "bernoulli" ? bernoulli(mean, stream, bulk) : tf.add(mean, normals(stream, mean.shape)) as tf.Tensor2D

/**
 * Free energy of each row: F(v) = -b.v - sum_j softplus(c_j + v.W_j) for
 * binary visible units, with (v - b)^2 / 2 in place of -b.v for Gaussian
 * ones. Defined for binary hidden units only.
 */
export const freeEnergy = (rbm: RbmTensors, visible: tf.Tensor2D): tf.Tensor1D =>
  tf.tidy(() => {
    const hiddenTerm = tf.sum(tf.softplus(hiddenInput(rbm, visible)), 1)
    const visibleTerm = rbm.visibleUnits === "bernoulli"
      ? tf.neg(tf.sum(tf.mul(visible, rbm.visibleBias), 1))
      : tf.mul(tf.sum(tf.square(tf.sub(visible, rbm.visibleBias)), 1), 0.5)
    return tf.sub(visibleTerm, hiddenTerm) as tf.Tensor1D
  })

/** The negative phase of a CD estimate: its Gibbs steps and what its last visible step uses (an `RbmPretrainConfig`'s `k` and `reconstruction`). */
export interface CdOptions {
  /** Gibbs steps in the negative phase. */
  readonly k: number
  readonly reconstruction: Reconstruction
}

/**
 * Persistent CD's chains, one per negative row: their hidden states as the
 * last estimate left them, or `"start"` to start them at this batch's own
 * sampled hidden states (the first estimate of a run, which is then a CD one).
 */
export type Chain = tf.Tensor2D | "start"

/** The gradient of the biases and the mean activities on the data, per unit. */
export interface BiasStatistics {
  readonly visibleBias: Float32Array
  readonly hiddenBias: Float32Array
  /** Mean hidden activity on the data (for the sparsity target). */
  readonly hiddenActivity: Float32Array
  /** Mean visible activity on the data. */
  readonly visibleActivity: Float32Array
}

/** One estimate of the gradient of the mean log-likelihood (ascent direction). */
export interface CdEstimate {
  readonly weights: tf.Tensor2D
  readonly visibleBias: tf.Tensor1D
  readonly hiddenBias: tf.Tensor1D
  readonly hiddenActivity: tf.Tensor1D
  readonly visibleActivity: tf.Tensor1D
  /**
   * Sum over the batch of the squared error of the one-step reconstruction
   * from the data (CD only: there it is the negative phase's first step, while
   * a persistent chain never reconstructs the data; see `reconstructionError`).
   */
  readonly reconstructionError?: tf.Scalar
  /** The chains' next hidden states (PCD only). */
  readonly chain?: tf.Tensor2D
}

/**
 * What a CD estimate is made of: the visible states and hidden means of the
 * data (the first `positiveRows` rows) and of the negative phase (the rest).
 * With D the diagonal of 1/n+ for data rows and -1/n- for negative ones, the
 * weight gradient <v h>_data - <v h>_model is visibles^T D hiddens, and the
 * bias gradients are the column sums of D visibles and D hiddens (computed
 * here, as products, with the data means).
 */
export interface CdStatistics {
  /** [v+; v-], [rows, visible]. */
  readonly visibles: tf.Tensor2D
  /** [h+; h-], [rows, hidden]. */
  readonly hiddens: tf.Tensor2D
  /** `[2, visible]`: the column sums of D visibles (the visible bias gradient), then the mean of v+. */
  readonly visibleSums: tf.Tensor2D
  /** `[2, hidden]`: the column sums of D hiddens (the hidden bias gradient), then the mean of h+. */
  readonly hiddenSums: tf.Tensor2D
  readonly positiveRows: number
  /** As in `CdEstimate`: CD only. */
  readonly reconstructionError?: tf.Scalar
  /** The chains' next hidden states (PCD only). */
  readonly chain?: tf.Tensor2D
}

/** Row `row`'s entry of D (see `CdStatistics`): 1/n+ for the data rows, -1/n- for the negative ones. */
export const rowWeight = (row: number, rows: number, positiveRows: number): number =>
  row < positiveRows ? 1 / positiveRows : -1 / (rows - positiveRows)

/** Splits the `visibleSums` and `hiddenSums` of a `CdStatistics` (read out) into the bias gradients and data means. */
export const biasStatistics = (visibleSums: Float32Array, hiddenSums: Float32Array): BiasStatistics => {
  const visible = visibleSums.length / 2
  const hidden = hiddenSums.length / 2
  return {
    visibleBias: visibleSums.subarray(0, visible),
    hiddenBias: hiddenSums.subarray(0, hidden),
    visibleActivity: visibleSums.subarray(visible),
    hiddenActivity: hiddenSums.subarray(hidden)
  }
}

/**
 * One CD-k estimate from the batch `data`; with `chain` (persistent CD), the
 * negative phase continues those chains instead of starting at the data. Call
 * inside `tf.tidy` (or dispose the returned tensors).
 */
export const cdEstimate = (
  rbm: RbmTensors,
  data: tf.Tensor2D,
  options: CdOptions,
  stream: RandomStream,
  chain?: Chain
): CdEstimate => {
  const { hiddenSums, hiddens, positiveRows, visibleSums, visibles, ...rest } = cdStatistics(rbm, data, options, stream, chain)
  const rows = visibles.shape[0]
  const weights = Float32Array.from({ length: rows }, (_, r) => rowWeight(r, rows, positiveRows))
  const bias = biasStatistics(visibleSums.dataSync() as Float32Array, hiddenSums.dataSync() as Float32Array)
  return {
    ...rest,
    weights: tf.matMul(visibles, tf.mul(hiddens, tf.tensor2d(weights, [rows, 1])), true, false),
    visibleBias: tf.tensor1d(bias.visibleBias),
    hiddenBias: tf.tensor1d(bias.hiddenBias),
    hiddenActivity: tf.tensor1d(bias.hiddenActivity),
    visibleActivity: tf.tensor1d(bias.visibleActivity)
  }
}

/**
 * The statistics behind `cdEstimate` (the same draws from `stream`). Call inside `tf.tidy`.
 *
 * Draws, in order: CD (and PCD's "start") a hidden sample of the data; then
 * per Gibbs step a visible sample (unless the last step uses probabilities)
 * and, before the last, a hidden sample; then PCD's next hidden states: with
 * sampled reconstructions a hidden sample given the last visible sample (whose
 * probabilities the statistics already hold), otherwise a visible sample of
 * the last step's means and a hidden sample given it.
 */
export const cdStatistics = (
  rbm: RbmTensors,
  data: tf.Tensor2D,
  options: CdOptions,
  stream: RandomStream,
  chain?: Chain
): CdStatistics => {
  const positive = hiddenGiven(rbm, data)
  const persistent = chain !== undefined
  let hidden = chain === undefined || chain === "start" ? sampleGiven(rbm, positive, stream) : chain
  let reconstruction: tf.Tensor2D | undefined
  let negativeVisible = data
  let negativeMean = data
  let negative = positive
  for (let step = 1; step <= options.k; step++) {
    negativeMean = visibleMean(rbm, hidden)
    if (step === 1 && !persistent) reconstruction = negativeMean
    const last = step === options.k
    negativeVisible = last && options.reconstruction === "probabilities"
      ? negativeMean
      : sampleVisible(rbm.visibleUnits, negativeMean, stream, rbm.bernoulli)
    negative = hiddenGiven(rbm, negativeVisible)
    if (!last) hidden = sampleGiven(rbm, negative, stream)
  }
  const negativeHidden = negative.mean
  const visibles = tf.concat2d([data, negativeVisible], 0)
  const hiddens = tf.concat2d([positive.mean, negativeHidden], 0)
  const rows = visibles.shape[0]
  const positiveRows = data.shape[0]
  // Row 0: D; row 1: 1/n+ on the data rows alone.
  const sumWeights = new Float32Array(2 * rows)
  for (let r = 0; r < rows; r++) sumWeights[r] = rowWeight(r, rows, positiveRows)
  sumWeights.fill(1 / positiveRows, rows, rows + positiveRows)
  const columnWeights = tf.tensor2d(sumWeights, [2, rows])
  const statistics: CdStatistics = {
    visibles,
    hiddens,
    visibleSums: tf.matMul(columnWeights, visibles),
    hiddenSums: tf.matMul(columnWeights, hiddens),
    positiveRows
  }
  if (reconstruction !== undefined) return { ...statistics, reconstructionError: tf.sum(tf.squaredDifference(data, reconstruction)) }
  // The chains move on from a visible sample: with sampled reconstructions its hidden probabilities are in hand.
  const next = options.reconstruction === "samples"
    ? negative
    : hiddenGiven(rbm, sampleVisible(rbm.visibleUnits, negativeMean, stream, rbm.bernoulli))
  return { ...statistics, chain: sampleGiven(rbm, next, stream) }
}

/**
 * Sum over the rows of `data` of the squared error of the one-step
 * reconstruction from a hidden sample: what CD's statistics report per batch,
 * measured apart (for persistent chains, which never reconstruct the data).
 */
export const reconstructionError = (rbm: RbmTensors, data: tf.Tensor2D, stream: RandomStream): tf.Scalar =>
  tf.tidy(() => tf.sum(tf.squaredDifference(data, visibleMean(rbm, sampleGiven(rbm, hiddenGiven(rbm, data), stream)))))

/** The hidden units' expected activity for every row: the next RBM's training data. */
export const hiddenRows = (rbm: RbmParameters, rows: { readonly inputs: Float32Array; readonly count: number }) => {
  const tensors = toTensors(rbm)
  const out = new Float32Array(rows.count * rbm.hidden)
  const chunk = 1000
  for (let start = 0; start < rows.count; start += chunk) {
    const end = Math.min(rows.count, start + chunk)
    // The tensor, not its values, leaves tidy: tidy would walk a returned typed array element by element.
    const means = tf.tidy(() => {
      const visible = tf.tensor2d(rows.inputs.subarray(start * rbm.visible, end * rbm.visible), [end - start, rbm.visible])
      return hiddenMean(rbm.hiddenUnits, hiddenInput(tensors, visible))
    })
    out.set(means.dataSync(), start * rbm.hidden)
    means.dispose()
  }
  disposeTensors(tensors)
  return { inputs: out, count: rows.count, features: rbm.hidden }
}
