/**
 * A dense layer y = f(x W + b), f the rectifier, the paper's sign-alternating
 * rectifier or the identity, as one op with its own gradient on the native
 * backend. tfjs's fused product reshapes
 * its operands to rank 3, saves four tensors for its gradient and reshapes
 * every gradient back, and the rectifier is a second op with a gradient of its
 * own: 13 dispatches forward and 10 backward for a hidden layer. Here the
 * forward is the native `_FusedMatMul` kernel on the rank-2 operands (bias row,
 * sgemm, the rectifier in place) and the backward one native kernel
 * (Kernels.ts, `NativeDenseGrad`), with the same float operations in the same
 * order, so results are bit-identical to the composite. The alternating form
 * applies its signs inside the op (`NativeAlternateSigns`), so its gradient
 * reaches the layer below as the deferred input gradient that the masked
 * product (sparse products on) computes only where the rectifier passed.
 * Written with tfjs's
 * `customGrad` rather than as a registered kernel with a registered gradient:
 * the forward is an existing kernel, and nothing is added to the registry that
 * other backends would lack.
 */
import * as tf from "@tensorflow/tfjs-core"
import { alternateSignsKernel, denseGradKernel } from "./Kernels.ts"
import type { NativeBackend } from "./NativeBackend.ts"

/**
 * The activations the op fuses: tfjs's `relu` (the rectifier), the paper's sign-alternating
 * rectifier (`relu-alternating`: the rectifier's output times +1 on even units and -1 on odd, as
 * `mul(relu(z), alternatingSigns(units))`) and none (`linear`, an output layer).
 */
export type DenseActivation = "relu" | "relu-alternating" | "linear"

/** f(x W + b) for x [batch, fanIn], W [fanIn, fanOut], b [fanOut]; differentiable in all three. */
export type DenseLayer = (
  x: tf.Tensor2D,
  weights: tf.Tensor2D,
  bias: tf.Tensor1D,
  activation: DenseActivation
) => tf.Tensor2D

const layerOf = (backend: NativeBackend, activation: DenseActivation) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, weights, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc]
    if (tf.backend() !== backend) {
      throw new Error(`the native backend's dense layer ran while "${tf.getBackend()}" is the active backend`)
    }
    const rectified = activation !== "linear"
    const attrs = { transposeA: false, transposeB: false, activation: rectified ? "relu" : "linear", leakyreluAlpha: 0 }
    const z = tf.engine().runKernel("_FusedMatMul", { a: x, b: weights, bias }, attrs) as tf.Tensor2D
    const y = activation === "relu-alternating" ? tf.engine().runKernel(alternateSignsKernel, { x: z }) as tf.Tensor2D : z
    // Each saved tensor costs a dispatch (a clone); a variable outlives the backward pass, so it is not saved.
    // The rectifier's mask is read from its output before any signs.
    const kept = rectified ? [x, z] : [x]
    save(weights instanceof tf.Variable ? kept : [...kept, weights])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor2D, saved: Array<tf.Tensor>) => {
        const input = saved[0]!
        const output = rectified ? saved[1] : undefined
        const w = weights instanceof tf.Variable ? weights : saved[saved.length - 1]!
        const inputs = { dy, x: input, weights: w, ...(output === undefined ? {} : { y: output }) }
        return tf.engine().runKernel(denseGradKernel, inputs, { activation }) as Array<tf.Tensor>
      }
    }
  }) as (x: tf.Tensor2D, weights: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D

/** The dense layer on `backend`, which must be the active backend whenever it runs. */
export const denseLayerOf = (backend: NativeBackend): DenseLayer => {
  const layers = {
    relu: layerOf(backend, "relu"),
    "relu-alternating": layerOf(backend, "relu-alternating"),
    linear: layerOf(backend, "linear")
  }
  return (x, weights, bias, activation) => layers[activation](x, weights, bias)
}
