/**
 * One dense layer of a network, f(x W + b): the backend's fused op
 * (`TensorBackend`'s `capabilities.denseLayer`) where it has one and fuses the
 * layer's activation, else tfjs's fused product plus bias, then the
 * activation's own forward. The fused op is bit-identical to the composite, so
 * which one runs never moves a number. Fused: the rectifier (`rectifier`,
 * tfjs's relu) and the linear output layer; every other activation composes.
 */
import type { Activation, ActivationContext } from "@rectifier/activations"
import type { FusedDenseLayer } from "@rectifier/backend"
import * as tf from "@tensorflow/tfjs-core"
import type { LayerVariables } from "./Model.ts"

/** The activations whose forward is exactly one the fused op applies, by name (their settings are empty). */
const fusedForms: Readonly<Record<string, "relu">> = { rectifier: "relu" }

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
  const form = activation === undefined ? "linear" : fusedForms[activation.name]
  if (fused !== undefined && form !== undefined) return fused(x, layer.weights, layer.bias, form)
  const pre = tf.fused.matMul({ a: x, b: layer.weights, bias: layer.bias }) as tf.Tensor2D
  return activation === undefined ? pre : activation.apply(pre, layer.activationParameters.map((p) => p.value), context)
}
