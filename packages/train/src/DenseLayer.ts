/**
 * One dense layer of a network, f(x W + b): the backend's fused op
 * (`TensorBackend`'s `capabilities.denseLayer`) where it has one and fuses the
 * layer's activation, else tfjs's fused product plus bias, then the
 * activation's own forward. The fused op is bit-identical to the composite, so
 * which one runs never moves a number. Fused: the rectifier (`rectifier`,
 * tfjs's relu), the paper's sign-alternating one (the rectifier, then its
 * signs, inside the op: a product by ±1 is exact, so the bits are the
 * composite's) and the linear output layer; every other activation composes.
 */
import type { Activation, ActivationContext } from "@rectifier/activations"
import type { FusedDenseLayer } from "@rectifier/backend"
import * as tf from "@tensorflow/tfjs-core"
import type { LayerVariables } from "./Model.ts"

/** The activations whose forward is the fused op's rectifier, then (`signed`) the sign-alternating units' signs, by name. */
const fusedForms: Readonly<Record<string, { readonly signed: boolean }>> = {
  rectifier: { signed: false },
  "rectifier-alternating": { signed: true }
}

/**
 * `layer`'s output for `x` under `activation` (undefined: the linear output layer), through `fused`
 * when given and the activation is one it fuses.
 */
export const denseLayer = (
  x: tf.Tensor2D,
  layer: LayerVariables,
  activation: Activation | undefined,
  context: ActivationContext,
  fused: FusedDenseLayer | undefined
): tf.Tensor2D => {
  if (fused !== undefined && activation === undefined) return fused(x, layer.weights, layer.bias, "linear")
  const form = activation === undefined ? undefined : fusedForms[activation.name]
  if (fused !== undefined && form !== undefined) return fused(x, layer.weights, layer.bias, form.signed ? "relu-alternating" : "relu")
  const pre = tf.fused.matMul({ a: x, b: layer.weights, bias: layer.bias }) as tf.Tensor2D
  return activation === undefined ? pre : activation.apply(pre, layer.activationParameters.map((p) => p.value), context)
}
