/**
 * The dense BLAS ceiling of a training step: the step's matrix products alone,
 * as dense sgemm calls on the workload's own matrices, timed in the bench's
 * process with the contenders' thread count. A dense framework cannot train
 * faster than this (it still has element-wise work besides), so each
 * contender's speed is also printed as a percentage of it; a contender that
 * skips zeros can pass 100%. The same forward pass gives the density (the
 * fraction of nonzeros) of each layer's input, which says how much a
 * sparsity-aware product could skip.
 *
 * Per step and layer l (inputs h_l, batch x in; weights W_l, in x out): the
 * forward product h_l W_l, the weight gradient h_lᵀ δ_l, and, for every layer
 * but the first (whose input needs no gradient, on any contender), the input
 * gradient δ_l W_lᵀ. Plain synchronous code, like the rest of the measurement.
 */
import type { NativeBlas } from "@rectifier/backend-native"
import { RandomStream } from "@rectifier/core"
import { join } from "node:path"
import { layerSizes, readActivation, readFloats, type StepActivation } from "./Workload.ts"

export interface CeilingResult {
  /** Samples per second if a step cost only its sgemm calls. */
  readonly samplesPerSecond: number
  readonly secondsPerStep: number
  /** The products' floating-point operations per second (2 m n k per product). */
  readonly gflopsPerSecond: number
  /** The fraction of nonzeros in each layer's input (the pixels, then each hidden layer's rectified output) on the first minibatch. */
  readonly layerInputDensity: ReadonlyArray<number>
}

/** Each step activation of a pre-activation of hidden unit `unit` (only its exact zeros matter here). */
const hidden: Readonly<Record<StepActivation, (z: number, unit: number) => number>> = {
  rectifier: (z) => Math.max(0, z),
  "rectifier-alternating": (z, unit) => (unit % 2 === 1 ? -Math.max(0, z) : Math.max(0, z)),
  tanh: Math.tanh,
  softplus: (z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))
}

const nonzeroShare = (values: Float32Array): number => {
  let count = 0
  for (const v of values) if (v !== 0) count++
  return values.length === 0 ? 0 : count / values.length
}

/** Times `steps` steps' worth of the step's sgemm calls at minibatch `batch`, on the workload in `dir`. */
export const measureCeiling = (blas: NativeBlas, dir: string, batch: number, steps: number): CeilingResult => {
  const layers = layerSizes.length - 1
  const weights = Array.from({ length: layers }, (_, l) => readFloats(join(dir, `w${l}.f32`)))
  const biases = Array.from({ length: layers }, (_, l) => readFloats(join(dir, `b${l}.f32`)))
  const x = readFloats(join(dir, `x-${batch}.f32`)).slice(0, batch * layerSizes[0]!)
  // The forward pass of the workload's first minibatch: each layer's input, activated as the step's
  // (the sign-alternating rectifier negates odd units: the same zeros, other values above).
  const activate = hidden[readActivation(dir)]
  const inputs: Array<Float32Array> = [x]
  for (let l = 0; l < layers - 1; l++) {
    const fanOut = layerSizes[l + 1]!
    const z = new Float32Array(batch * fanOut)
    blas.gemm(false, false, batch, fanOut, layerSizes[l]!, inputs[l]!, weights[l]!, z)
    for (let i = 0; i < z.length; i++) {
      const unit = i % fanOut
      z[i] = activate(z[i]! + biases[l]![unit]!, unit)
    }
    inputs.push(z)
  }
  // Upstream gradients: their values do not change sgemm's time (no denormals in [-1, 1]).
  const noise = RandomStream.derive(1, "bench/ceiling-gradients")
  const deltas = Array.from({ length: layers }, (_, l) => noise.fillUniform(new Float32Array(batch * layerSizes[l + 1]!), -1, 1))
  const outputs = Array.from({ length: layers }, (_, l) => new Float32Array(batch * layerSizes[l + 1]!))
  const weightGradients = weights.map((w) => new Float32Array(w.length))
  const inputGradients = inputs.map((h) => new Float32Array(h.length))
  const step = () => {
    for (let l = 0; l < layers; l++) {
      const [fanIn, fanOut] = [layerSizes[l]!, layerSizes[l + 1]!]
      blas.gemm(false, false, batch, fanOut, fanIn, inputs[l]!, weights[l]!, outputs[l]!)
    }
    for (let l = layers - 1; l >= 0; l--) {
      const [fanIn, fanOut] = [layerSizes[l]!, layerSizes[l + 1]!]
      blas.gemm(true, false, fanIn, fanOut, batch, inputs[l]!, deltas[l]!, weightGradients[l]!)
      if (l > 0) blas.gemm(false, true, batch, fanIn, fanOut, deltas[l]!, weights[l]!, inputGradients[l]!)
    }
  }
  step()
  const start = performance.now()
  for (let s = 0; s < steps; s++) step()
  const secondsPerStep = (performance.now() - start) / 1000 / steps
  let flops = 0
  for (let l = 0; l < layers; l++) flops += 2 * batch * layerSizes[l]! * layerSizes[l + 1]! * (l > 0 ? 3 : 2)
  return {
    samplesPerSecond: batch / secondsPerStep,
    secondsPerStep,
    gflopsPerSecond: flops / secondsPerStep / 1e9,
    layerInputDensity: inputs.map(nonzeroShare)
  }
}
