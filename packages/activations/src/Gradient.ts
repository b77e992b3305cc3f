/**
 * Element-wise functions with a hand-written derivative. tfjs would otherwise
 * differentiate the forward expression op by op: slower (every intermediate
 * kept on the tape) and, for formulas with exp or x³ in an unselected branch,
 * prone to 0 · ∞ = NaN at large |x|. Here the forward and the derivative are
 * separate expressions, each written to stay finite for any finite input.
 */
import * as tf from "@tensorflow/tfjs-core"

/** An element-wise tensor function. */
export type Elementwise = (x: tf.Tensor) => tf.Tensor

/**
 * `forward` with `derivative` as its gradient: the backward pass returns
 * dy · derivative(x), evaluated on the saved input.
 */
export const withDerivative = (forward: Elementwise, derivative: Elementwise): Elementwise => {
  const fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor
    const save = args[1] as tf.GradSaveFunc
    save([x])
    return {
      value: forward(x),
      gradFunc: (dy: tf.Tensor, saved: Array<tf.Tensor>) => tf.mul(dy, derivative(saved[0]!))
    }
  }) as (x: tf.Tensor) => tf.Tensor
  return (x) => fn(x)
}

/** 1 where x > 0, 0 elsewhere (also at 0: the left derivative of the positive part). */
export const positive = (x: tf.Tensor): tf.Tensor => tf.step(x, 0)
