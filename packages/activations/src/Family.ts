/**
 * The activation functions, by name. Each entry is a fixed element-wise
 * function built on tfjs ops whose own gradients are exact and stable.
 */
import * as tf from "@tensorflow/tfjs-core"
import { Schema } from "effect"
import type { Activation, ActivationMeta } from "./Activation.ts"

export const ActivationName = Schema.Literals([
  "rectifier",
  "rectifier-alternating",
  "tanh",
  "softplus",
  "sigmoid"
])
export type ActivationName = typeof ActivationName.Type

const elementwise = (
  name: ActivationName,
  forward: (x: tf.Tensor2D) => tf.Tensor2D,
  meta: ActivationMeta
): Activation => ({
  name,
  fanInFactor: 1,
  parameters: () => [],
  apply: (z) => forward(z),
  meta
})

/** +1 on even units, -1 on odd ones: the paper's sign-alternating rectifier. */
const alternatingSigns = (units: number): tf.Tensor1D => {
  const signs = new Float32Array(units)
  for (let i = 0; i < units; i++) signs[i] = i % 2 === 0 ? 1 : -1
  return tf.tensor1d(signs)
}

export const family: Readonly<Record<ActivationName, Activation>> = {
  rectifier: elementwise("rectifier", (x) => tf.relu(x), {
    formula: "max(0, x)",
    origin: "Nair & Hinton 2010; Glorot, Bordes & Bengio 2011",
    bounded: false,
    exactZeros: true,
    monotonic: true,
    convention: "derivative 0 at x = 0"
  }),
  "rectifier-alternating": elementwise(
    "rectifier-alternating",
    (x) => tf.mul(tf.relu(x), alternatingSigns(x.shape[1])),
    {
      formula: "s_j max(0, x_j), s_j = +1 for even j, -1 for odd j",
      origin: "Glorot, Bordes & Bengio 2011 (half the units negated to cancel the mean activation)",
      bounded: false,
      exactZeros: true,
      monotonic: false,
      convention: "derivative 0 at x = 0"
    }
  ),
  tanh: elementwise("tanh", (x) => tf.tanh(x), {
    formula: "tanh(x)",
    origin: "LeCun et al. 1998 (Efficient BackProp)",
    bounded: true,
    exactZeros: false,
    monotonic: true,
    convention: "differentiable everywhere"
  }),
  softplus: elementwise("softplus", (x) => tf.softplus(x), {
    formula: "log(1 + e^x)",
    origin: "Dugas et al. 2001",
    bounded: false,
    exactZeros: false,
    monotonic: true,
    convention: "differentiable everywhere"
  }),
  sigmoid: elementwise("sigmoid", (x) => tf.sigmoid(x), {
    formula: "1 / (1 + e^-x)",
    origin: "Rumelhart, Hinton & Williams 1986",
    bounded: true,
    exactZeros: false,
    monotonic: true,
    convention: "differentiable everywhere"
  })
}

/** The activation with this name. */
export const activation = (name: ActivationName): Activation => family[name]
