/**
 * The RBM's conditionals on tfjs tensors and one contrastive-divergence
 * estimate of the log-likelihood gradient (CD-k, or persistent CD when a
 * chain state is given). All noise is drawn on the JavaScript side from a
 * seeded stream, so the same seed gives the same estimate on a backend.
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
}

export const toTensors = (rbm: RbmParameters): RbmTensors => ({
  visibleUnits: rbm.visibleUnits,
  hiddenUnits: rbm.hiddenUnits,
  weights: tf.tensor2d(rbm.weights, [rbm.visible, rbm.hidden]),
  visibleBias: tf.tensor1d(rbm.visibleBias),
  hiddenBias: tf.tensor1d(rbm.hiddenBias)
})

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

export const disposeTensors = (rbm: RbmTensors): void => {
  rbm.weights.dispose()
  rbm.weightsT?.dispose()
  rbm.visibleBias.dispose()
  rbm.hiddenBias.dispose()
}

const uniforms = (stream: RandomStream, shape: [number, number]): tf.Tensor2D =>
  tf.tensor2d(stream.fillUniform(new Float32Array(shape[0] * shape[1]), 0, 1), shape)

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

/** A sample of the hidden units given their input. */
export const sampleHidden = (units: HiddenUnits, input: tf.Tensor2D, stream: RandomStream): tf.Tensor2D => {
  const shape = input.shape
  if (units === "bernoulli") return tf.step(tf.sub(tf.sigmoid(input), uniforms(stream, shape))) as tf.Tensor2D
  return tf.relu(tf.add(input, tf.mul(tf.sqrt(tf.sigmoid(input)), normals(stream, shape)))) as tf.Tensor2D
}

/**
 * The visible units' mean given hidden states: probabilities for binary
 * units, the Gaussian means for unit-variance ones. Uses the kept transposed
 * weights when there are any (an explicit transpose is far faster on wasm),
 * otherwise the product with the weights transposed (BLAS reads them in place).
 */
export const visibleMean = (rbm: RbmTensors, hidden: tf.Tensor2D): tf.Tensor2D => {
  const product = rbm.weightsT === undefined ? tf.matMul(hidden, rbm.weights, false, true) : tf.matMul(hidden, rbm.weightsT)
  const input = tf.add(product, rbm.visibleBias) as tf.Tensor2D
  return rbm.visibleUnits === "bernoulli" ? tf.sigmoid(input) : input
}

export const sampleVisible = (units: VisibleUnits, mean: tf.Tensor2D, stream: RandomStream): tf.Tensor2D =>
  units === "bernoulli"
    ? tf.step(tf.sub(mean, uniforms(stream, mean.shape))) as tf.Tensor2D
    : tf.add(mean, normals(stream, mean.shape)) as tf.Tensor2D

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

export interface CdOptions {
  /** Gibbs steps in the negative phase. */
  readonly k: number
  readonly reconstruction: Reconstruction
}

/** One estimate of the gradient of the mean log-likelihood (ascent direction). */
export interface CdEstimate extends CdBiasStatistics {
  readonly weights: tf.Tensor2D
}

/**
 * A CD estimate with the weight gradient left as its two factors:
 * <v h>_data - <v h>_model = visibles^T hiddens, for callers that compute the
 * product themselves (into their own arrays).
 */
export interface CdStatistics extends CdBiasStatistics {
  /** [v+; v-]: the data, then the negative phase's visible states, [rows, visible]. */
  readonly visibles: tf.Tensor2D
  /** [h+ / n+; -h- / n-]: the hidden means, scaled so that visibles^T hiddens is the weight gradient. */
  readonly hiddens: tf.Tensor2D
}

/** The parts of an estimate that are not the weight gradient. */
export interface CdBiasStatistics {
  readonly visibleBias: tf.Tensor1D
  readonly hiddenBias: tf.Tensor1D
  /** Mean hidden activity on the data, per unit (for the sparsity target). */
  readonly hiddenActivity: tf.Tensor1D
  /** Mean visible activity on the data, per unit. */
  readonly visibleActivity: tf.Tensor1D
  /** Sum over the batch of the squared error of the one-step reconstruction from the data. */
  readonly reconstructionError: tf.Scalar
  /** The sampled end of the negative chain: the next persistent state (present only for PCD). */
  readonly chain?: tf.Tensor2D
}

/** The mean of each column, as a column sum over the row count (the cpu backend's Mean transposes first; Sum runs natively on the native backend). */
const columnMean = (x: tf.Tensor2D): tf.Tensor1D => tf.div(tf.sum(x, 0), x.shape[0]) as tf.Tensor1D

/**
 * One CD-k estimate from the batch `data`; with `chain` (persistent CD), the
 * negative phase continues that chain instead of starting at the data. Call
 * inside `tf.tidy` (or dispose the returned tensors).
 */
export const cdEstimate = (
  rbm: RbmTensors,
  data: tf.Tensor2D,
  options: CdOptions,
  stream: RandomStream,
  chain?: tf.Tensor2D
): CdEstimate => {
  const { hiddens, visibles, ...rest } = cdStatistics(rbm, data, options, stream, chain)
  return { ...rest, weights: tf.matMul(visibles, hiddens, true, false) }
}

/** `cdEstimate` with the weight gradient as its factors (same draws from `stream`). Call inside `tf.tidy`. */
export const cdStatistics = (
  rbm: RbmTensors,
  data: tf.Tensor2D,
  options: CdOptions,
  stream: RandomStream,
  chain?: tf.Tensor2D
): CdStatistics => {
  const positiveInput = hiddenInput(rbm, data)
  const positiveHidden = hiddenMean(rbm.hiddenUnits, positiveInput)
  const dataHidden = sampleHidden(rbm.hiddenUnits, positiveInput, stream)
  const reconstruction = visibleMean(rbm, dataHidden)
  let hidden = chain === undefined ? dataHidden : sampleHidden(rbm.hiddenUnits, hiddenInput(rbm, chain), stream)
  let negativeVisible = reconstruction
  let negativeMean = reconstruction
  let negativeInput = positiveInput
  for (let step = 1; step <= options.k; step++) {
    negativeMean = step === 1 && chain === undefined ? reconstruction : visibleMean(rbm, hidden)
    const last = step === options.k
    negativeVisible = last && options.reconstruction === "probabilities"
      ? negativeMean
      : sampleVisible(rbm.visibleUnits, negativeMean, stream)
    negativeInput = hiddenInput(rbm, negativeVisible)
    if (!last) hidden = sampleHidden(rbm.hiddenUnits, negativeInput, stream)
  }
  const negativeHidden = hiddenMean(rbm.hiddenUnits, negativeInput)
  const positiveRows = data.shape[0]
  const negativeRows = negativeVisible.shape[0]
  // <v h>_data - <v h>_model as one product: [v+; v-]^T [h+ / n+; -h- / n-].
  const visibles = tf.concat2d([data, negativeVisible], 0)
  const hiddens = tf.concat2d([tf.mul(positiveHidden, 1 / positiveRows), tf.mul(negativeHidden, -1 / negativeRows)] as Array<tf.Tensor2D>, 0)
  const visibleActivity = columnMean(data)
  const hiddenActivity = columnMean(positiveHidden)
  const estimate: CdStatistics = {
    visibles,
    hiddens,
    visibleBias: tf.sub(visibleActivity, columnMean(negativeVisible)) as tf.Tensor1D,
    hiddenBias: tf.sub(hiddenActivity, columnMean(negativeHidden)) as tf.Tensor1D,
    hiddenActivity,
    visibleActivity,
    reconstructionError: tf.sum(tf.square(tf.sub(data, reconstruction)))
  }
  if (chain === undefined) return estimate
  const next = options.reconstruction === "samples" ? negativeVisible : sampleVisible(rbm.visibleUnits, negativeMean, stream)
  return { ...estimate, chain: next }
}

/** The hidden units' expected activity for every row: the next RBM's training data. */
export const hiddenRows = (rbm: RbmParameters, rows: { readonly inputs: Float32Array; readonly count: number }) => {
  const tensors = toTensors(rbm)
  const out = new Float32Array(rows.count * rbm.hidden)
  const chunk = 1000
  for (let start = 0; start < rows.count; start += chunk) {
    const end = Math.min(rows.count, start + chunk)
    const values = tf.tidy(() => {
      const visible = tf.tensor2d(rows.inputs.subarray(start * rbm.visible, end * rbm.visible), [end - start, rbm.visible])
      return hiddenMean(rbm.hiddenUnits, hiddenInput(tensors, visible)).dataSync()
    })
    out.set(values, start * rbm.hidden)
  }
  disposeTensors(tensors)
  return { inputs: out, count: rows.count, features: rbm.hidden }
}
