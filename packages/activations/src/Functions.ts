/**
 * The element-wise functions of the family as tfjs expressions. Where tfjs's
 * own op and gradient are exact and stable (relu, tanh, sigmoid, softplus,
 * leaky relu, clip) they are used as they are; everything else carries a
 * hand-written derivative (see Gradient.ts), written to stay finite and
 * accurate in float32 from -1e4 to 1e4 and beyond.
 */
import * as tf from "@tensorflow/tfjs-core"
import { type Elementwise, positive, withDerivative } from "./Gradient.ts"

const SQRT_HALF = Math.SQRT1_2
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI)
const GELU_C = Math.sqrt(2 / Math.PI)
const GELU_K = 0.044715

/** Beyond this |x| the GELU derivative terms x φ(x) and x σ'(2u) u' are exactly 0 in float32; clipping keeps x² and x³ finite. */
const TAIL = 50

export const rectifier: Elementwise = (x) => tf.relu(x)
export const sigmoid: Elementwise = (x) => tf.sigmoid(x)
export const tanh: Elementwise = (x) => tf.tanh(x)
export const softplus: Elementwise = (x) => tf.softplus(x)
export const hardTanh: Elementwise = (x) => tf.clipByValue(x, -1, 1)
export const rectifiedTanh: Elementwise = (x) => tf.relu(tf.tanh(x))

/** (1/a) softplus(a x); tfjs's chain rule gives sigmoid(a x), which is stable. */
export const rescaledSoftplus = (a: number): Elementwise => (x) => tf.div(tf.softplus(tf.mul(x, a)), a)

/** |tanh x|, derivative sign(x) (1 - tanh² x), 0 at x = 0. */
export const absTanh: Elementwise = withDerivative(
  (x) => tf.abs(tf.tanh(x)),
  (x) => {
    const t = tf.tanh(x)
    return tf.mul(tf.sign(x), tf.sub(1, tf.square(t)))
  }
)

/** Leaky rectifier with a fixed slope; tfjs's gradient takes the slope at x = 0. */
export const leakyRectifier = (slope: number): Elementwise => (x) => tf.leakyRelu(x, slope)

/**
 * scale · (x for x > 0, alpha (e^x - 1) otherwise): ELU for scale 1, SELU with
 * its constants. exp only ever sees min(x, 0), so nothing overflows.
 */
export const exponentialLinear = (alpha: number, scale: number): Elementwise =>
  withDerivative(
    (x) => tf.mul(tf.add(tf.relu(x), tf.mul(tf.expm1(tf.minimum(x, 0)), alpha)), scale),
    (x) => {
      const p = positive(x)
      const negative = tf.mul(tf.mul(tf.exp(tf.minimum(x, 0)), alpha), tf.sub(1, p))
      return tf.mul(tf.add(p, negative), scale)
    }
  )

/** Standard normal CDF Φ(x) = (1 + erf(x / √2)) / 2. */
const normalCdf = (x: tf.Tensor): tf.Tensor => tf.mul(tf.add(tf.erf(tf.mul(x, SQRT_HALF)), 1), 0.5)

/** x Φ(x), derivative Φ(x) + x φ(x). */
export const gelu: Elementwise = withDerivative(
  (x) => tf.mul(x, normalCdf(x)),
  (x) => {
    const xc = tf.clipByValue(x, -TAIL, TAIL)
    const density = tf.mul(tf.exp(tf.mul(tf.square(xc), -0.5)), INV_SQRT_2PI)
    return tf.add(normalCdf(x), tf.mul(xc, density))
  }
)

/**
 * x (1 + tanh u) / 2 with u = √(2/π)(x + 0.044715 x³), computed as x σ(2u)
 * (the same number, without the cancellation of 1 + tanh u near -1).
 */
export const geluTanh: Elementwise = (() => {
  const twiceU = (x: tf.Tensor) => tf.mul(tf.add(x, tf.mul(tf.mul(x, tf.square(x)), GELU_K)), 2 * GELU_C)
  return withDerivative(
    (x) => tf.mul(x, tf.sigmoid(twiceU(x))),
    (x) => {
      // Beyond ±TAIL σ(2u) is exactly 0 or 1, so the clipped x gives the same s.
      const xc = tf.clipByValue(x, -TAIL, TAIL)
      const s = tf.sigmoid(twiceU(xc))
      const du = tf.mul(tf.add(tf.mul(tf.square(xc), 3 * GELU_K), 1), 2 * GELU_C)
      return tf.add(s, tf.mul(tf.mul(xc, tf.mul(s, tf.sub(1, s))), du))
    }
  )
})()

/** x σ(βx), derivative σ(βx) + βx σ(βx)(1 - σ(βx)). */
export const swish = (beta: number): Elementwise =>
  withDerivative(
    (x) => tf.mul(x, tf.sigmoid(tf.mul(x, beta))),
    (x) => {
      const s = tf.sigmoid(tf.mul(x, beta))
      return tf.add(s, tf.mul(tf.mul(x, beta), tf.mul(s, tf.sub(1, s))))
    }
  )

/**
 * x tanh(softplus x), derivative tanh(s) + x σ(x) sech²(s) with s = softplus x.
 * sech²(s) is taken as 4e / (1 + e)² with e = exp(-2s) ∈ (0, 1]: no
 * cancellation and no overflow for any x.
 */
export const mish: Elementwise = withDerivative(
  (x) => tf.mul(x, tf.tanh(tf.softplus(x))),
  (x) => {
    const s = tf.softplus(x)
    const e = tf.exp(tf.mul(s, -2))
    const sech2 = tf.div(tf.mul(e, 4), tf.square(tf.add(e, 1)))
    return tf.add(tf.tanh(s), tf.mul(tf.mul(x, tf.sigmoid(x)), sech2))
  }
)
