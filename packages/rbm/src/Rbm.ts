/**
 * A restricted Boltzmann machine: its unit types, its parameters as plain
 * arrays, and how a fresh one is initialised following Hinton's practical
 * guide (2010): weights N(0, 0.01^2), hidden biases 0, visible biases
 * log(p / (1 - p)) of the training means (Bernoulli) or the training means
 * (Gaussian visible units of unit variance).
 */
import type { RandomStream } from "@rectifier/core"
import { Schema } from "effect"
import type { Rows } from "./Rows.ts"

/** Binary visible units, or real-valued ones with unit variance (noise-free reconstructions). */
export const VisibleUnits = Schema.Literals(["bernoulli", "gaussian"])
export type VisibleUnits = typeof VisibleUnits.Type

/** Binary hidden units, or noisy rectified linear ones: max(0, x + N(0, sigmoid(x))) (Nair & Hinton 2010). */
export const HiddenUnits = Schema.Literals(["bernoulli", "nrelu"])
export type HiddenUnits = typeof HiddenUnits.Type

/**
 * An RBM as plain float32 arrays, the form it is initialised, stored and
 * stacked in (`toTensors` puts it on the tensor backend): its unit types,
 * `visible` x `hidden` weights and one bias per unit.
 */
export interface RbmParameters {
  readonly visibleUnits: VisibleUnits
  readonly hiddenUnits: HiddenUnits
  readonly visible: number
  readonly hidden: number
  /** [visible, hidden] row-major. */
  readonly weights: Float32Array
  readonly visibleBias: Float32Array
  readonly hiddenBias: Float32Array
}

/** What `initialRbm` builds: the unit types and the hidden units; the visible side is as wide as the data. */
export interface RbmShape {
  readonly visibleUnits: VisibleUnits
  readonly hiddenUnits: HiddenUnits
  readonly hidden: number
  /** Standard deviation of the initial weights (0.01 in the guide). */
  readonly initialStd: number
}

/** Keeps log(p / (1 - p)) finite for pixels that are always 0 or always 1. */
const PROBABILITY_FLOOR = 1e-3

/** The mean of each column of `rows`. */
export const columnMeans = (rows: Rows): Float64Array => {
  const means = new Float64Array(rows.features)
  for (let r = 0; r < rows.count; r++) {
    const offset = r * rows.features
    for (let i = 0; i < rows.features; i++) means[i]! += rows.inputs[offset + i]!
  }
  for (let i = 0; i < rows.features; i++) means[i]! /= Math.max(rows.count, 1)
  return means
}

/** A fresh RBM over the columns of `data`, with weights drawn from `stream`. */
export const initialRbm = (shape: RbmShape, data: Rows, stream: RandomStream): RbmParameters => {
  const visible = data.features
  const means = columnMeans(data)
  const visibleBias = new Float32Array(visible)
  for (let i = 0; i < visible; i++) {
    if (shape.visibleUnits === "bernoulli") {
      const p = Math.min(Math.max(means[i]!, PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR)
      visibleBias[i] = Math.log(p / (1 - p))
    } else {
      visibleBias[i] = means[i]!
    }
  }
  return {
    visibleUnits: shape.visibleUnits,
    hiddenUnits: shape.hiddenUnits,
    visible,
    hidden: shape.hidden,
    weights: stream.fillNormal(new Float32Array(visible * shape.hidden), 0, shape.initialStd),
    visibleBias,
    hiddenBias: new Float32Array(shape.hidden)
  }
}
