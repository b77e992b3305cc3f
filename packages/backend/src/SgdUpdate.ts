/**
 * One SGD update of a variable, with optional classical momentum and L2
 * weight decay (rate η, momentum μ, decay λ):
 *   g' = g + λ w;   v <- μ v - η g',  w <- w + v   (with a velocity v),
 *                   w <- w - η g'                 (without).
 * The functional update here runs on every tfjs backend, op for op. A backend
 * that can update in place (the native one) does so where it can and leaves
 * the rest to the functional update; its loader composes the two.
 */
import type { InPlaceSgd, SgdSettings } from "@rectifier/backend-native"
import * as tf from "@tensorflow/tfjs-core"

export type { SgdSettings }

/** Updates `variable` (and `velocity`, when momentum is used) from `gradient`. */
export type SgdUpdate = (
  variable: tf.Variable,
  gradient: tf.Tensor,
  settings: SgdSettings,
  velocity?: tf.Variable
) => void

/** The update as tfjs ops, each result assigned to its variable. */
export const functionalSgdUpdate: SgdUpdate = (variable, gradient, settings, velocity) => {
  tf.tidy(() => {
    const rate = tf.scalar(settings.learningRate)
    let g = gradient
    if (settings.weightDecay > 0) g = tf.add(g, tf.mul(tf.scalar(settings.weightDecay), variable))
    if (velocity === undefined) {
      variable.assign(tf.sub(variable, tf.mul(rate, g)))
    } else {
      velocity.assign(tf.sub(tf.mul(tf.scalar(settings.momentum), velocity), tf.mul(rate, g)))
      variable.assign(tf.add(variable, velocity))
    }
  })
}

/** The in-place update where it applies, the functional one where it declines. */
export const inPlaceOrFunctional = (inPlace: InPlaceSgd): SgdUpdate => (variable, gradient, settings, velocity) => {
  if (!inPlace(variable, gradient, settings, velocity)) functionalSgdUpdate(variable, gradient, settings, velocity)
}
