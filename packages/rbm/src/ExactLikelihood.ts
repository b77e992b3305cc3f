/**
 * Exact quantities of small RBMs with binary hidden units, by enumerating
 * every hidden state (2^hidden of them) in double precision: the log
 * partition function, the log-likelihood of data, and the model's marginal
 * over hidden states, from which the model expectations follow. These are
 * the reference the CD estimates are tested against, and the exact
 * log-likelihood monitored during training of tiny models.
 */
import type { RbmParameters } from "./Rbm.ts"
import type { Rows } from "./Rows.ts"

/** Enumeration is refused beyond this many hidden units (2^20 states). */
export const MAX_ENUMERATED_HIDDEN = 20

const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))

const logSumExp = (values: Float64Array): number => {
  let max = -Infinity
  for (const value of values) if (value > max) max = value
  let sum = 0
  for (const value of values) sum += Math.exp(value - max)
  return max + Math.log(sum)
}

/** True when the exact quantities of this RBM can be computed by enumeration. */
export const isEnumerable = (rbm: RbmParameters, maxHidden: number = MAX_ENUMERATED_HIDDEN): boolean =>
  rbm.hiddenUnits === "bernoulli" && rbm.hidden <= Math.min(maxHidden, MAX_ENUMERATED_HIDDEN)

/** The hidden state numbered `index`: bit j is unit j. */
export const hiddenState = (hidden: number, index: number): Float64Array => {
  const state = new Float64Array(hidden)
  for (let j = 0; j < hidden; j++) state[j] = (index >> j) & 1
  return state
}

/** W h + b: the visible units' total input given hidden state `h`. */
export const visibleInput = (rbm: RbmParameters, h: Float64Array): Float64Array => {
  const input = Float64Array.from(rbm.visibleBias)
  for (let i = 0; i < rbm.visible; i++) {
    let sum = 0
    const row = i * rbm.hidden
    for (let j = 0; j < rbm.hidden; j++) if (h[j] !== 0) sum += rbm.weights[row + j]! * h[j]!
    input[i]! += sum
  }
  return input
}

/**
 * The unnormalised log marginal of every hidden state: c.h plus the visible
 * units summed out (sum_i softplus(b_i + W_i.h) for binary units; for
 * unit-variance Gaussian ones (|b + W h|^2 - |b|^2) / 2 + n/2 log 2 pi).
 */
export const hiddenLogMarginals = (rbm: RbmParameters): Float64Array => {
  if (!isEnumerable(rbm)) throw new RangeError(`exact enumeration needs binary hidden units, at most ${MAX_ENUMERATED_HIDDEN}`)
  const states = 2 ** rbm.hidden
  const out = new Float64Array(states)
  let biasNorm = 0
  for (const b of rbm.visibleBias) biasNorm += b * b
  const gaussianConstant = 0.5 * rbm.visible * Math.log(2 * Math.PI)
  for (let s = 0; s < states; s++) {
    const h = hiddenState(rbm.hidden, s)
    let value = 0
    for (let j = 0; j < rbm.hidden; j++) value += rbm.hiddenBias[j]! * h[j]!
    const input = visibleInput(rbm, h)
    if (rbm.visibleUnits === "bernoulli") {
      for (const x of input) value += softplus(x)
    } else {
      let norm = 0
      for (const x of input) norm += x * x
      value += 0.5 * (norm - biasNorm) + gaussianConstant
    }
    out[s] = value
  }
  return out
}

/**
 * log Z, the log partition function, in nats, by summing out every hidden
 * state in double precision; throws a `RangeError` for an RBM that
 * `isEnumerable` refuses (rectified hidden units, or more than
 * `MAX_ENUMERATED_HIDDEN` of them).
 */
export const logPartition = (rbm: RbmParameters): number => logSumExp(hiddenLogMarginals(rbm))

/** The model's probability of each hidden state. */
export const hiddenProbabilities = (rbm: RbmParameters): Float64Array => {
  const logs = hiddenLogMarginals(rbm)
  const z = logSumExp(logs)
  return logs.map((value) => Math.exp(value - z))
}

/** Free energy of one row in double precision (binary hidden units). */
export const exactFreeEnergy = (rbm: RbmParameters, v: Float32Array | Float64Array): number => {
  let energy = 0
  if (rbm.visibleUnits === "bernoulli") {
    for (let i = 0; i < rbm.visible; i++) energy -= rbm.visibleBias[i]! * v[i]!
  } else {
    for (let i = 0; i < rbm.visible; i++) energy += 0.5 * (v[i]! - rbm.visibleBias[i]!) ** 2
  }
  for (let j = 0; j < rbm.hidden; j++) {
    let x = rbm.hiddenBias[j]!
    for (let i = 0; i < rbm.visible; i++) x += v[i]! * rbm.weights[i * rbm.hidden + j]!
    energy -= softplus(x)
  }
  return energy
}

/** Mean log-likelihood (log-density for Gaussian visible units) of the rows, in nats per example. */
export const exactLogLikelihood = (rbm: RbmParameters, data: Rows, logZ: number = logPartition(rbm)): number => {
  let total = 0
  for (let r = 0; r < data.count; r++) {
    total -= exactFreeEnergy(rbm, data.inputs.subarray(r * data.features, (r + 1) * data.features))
  }
  return total / data.count - logZ
}

/** Exact statistics of the log-likelihood gradient: E[v_i h_j], E[v_i], E[h_j]. */
export interface Expectations {
  /** [visible, hidden] row-major. */
  readonly visibleHidden: Float64Array
  readonly visible: Float64Array
  readonly hidden: Float64Array
}

/** The model's expectations, summing over hidden states (E[v | h] is sigmoid(b + W h) or b + W h). */
export const modelExpectations = (rbm: RbmParameters): Expectations => {
  const probabilities = hiddenProbabilities(rbm)
  const visibleHidden = new Float64Array(rbm.visible * rbm.hidden)
  const visible = new Float64Array(rbm.visible)
  const hidden = new Float64Array(rbm.hidden)
  for (let s = 0; s < probabilities.length; s++) {
    const p = probabilities[s]!
    const h = hiddenState(rbm.hidden, s)
    const input = visibleInput(rbm, h)
    for (let i = 0; i < rbm.visible; i++) {
      const mean = rbm.visibleUnits === "bernoulli" ? 1 / (1 + Math.exp(-input[i]!)) : input[i]!
      visible[i]! += p * mean
      for (let j = 0; j < rbm.hidden; j++) visibleHidden[i * rbm.hidden + j]! += p * mean * h[j]!
    }
    for (let j = 0; j < rbm.hidden; j++) hidden[j]! += p * h[j]!
  }
  return { visibleHidden, visible, hidden }
}

/** The data's expectations, with hidden units at their conditional probabilities. */
export const dataExpectations = (rbm: RbmParameters, data: Rows): Expectations => {
  const visibleHidden = new Float64Array(rbm.visible * rbm.hidden)
  const visible = new Float64Array(rbm.visible)
  const hidden = new Float64Array(rbm.hidden)
  for (let r = 0; r < data.count; r++) {
    const v = data.inputs.subarray(r * data.features, (r + 1) * data.features)
    for (let j = 0; j < rbm.hidden; j++) {
      let x = rbm.hiddenBias[j]!
      for (let i = 0; i < rbm.visible; i++) x += v[i]! * rbm.weights[i * rbm.hidden + j]!
      const p = 1 / (1 + Math.exp(-x))
      hidden[j]! += p / data.count
      for (let i = 0; i < rbm.visible; i++) visibleHidden[i * rbm.hidden + j]! += (v[i]! * p) / data.count
    }
    for (let i = 0; i < rbm.visible; i++) visible[i]! += v[i]! / data.count
  }
  return { visibleHidden, visible, hidden }
}
