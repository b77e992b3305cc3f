/**
 * The native backend's SGD update of a variable in place, with optional
 * classical momentum and L2 weight decay (rate η, momentum μ, decay λ):
 *   g' = g + λ w;   v <- μ v - η g',  w <- w + v   (with a velocity v),
 *                   w <- w - η g'                 (without).
 * A gradient that is a deferred product xᵀδ (a dense layer's weight gradient)
 * is never formed: one gemm adds -η xᵀδ into the weights (or the velocity), so
 * each weight matrix is read and written once instead of three times. Any
 * other gradient takes one pass that rounds exactly as the functional update
 * does. An update it cannot do in place (a variable that is not float32,
 * shapes that differ) it declines, and the caller runs the functional one.
 */
import * as tf from "@tensorflow/tfjs-core"
import type { NativeBackend } from "./NativeBackend.ts"

/** The coefficients of one SGD update (rate, momentum, L2 decay), the same for the in-place and the functional update. */
export interface SgdSettings {
  /** η */
  readonly learningRate: number
  /** μ in [0, 1); used when a velocity is given. */
  readonly momentum: number
  /** λ, the L2 penalty's coefficient; 0 for none. */
  readonly weightDecay: number
}

const empty = new Float32Array(0)

/** Gives `variable` a buffer that nothing else can see (a copy, when it shares or exposed its own). */
const claim = (backend: NativeBackend, variable: tf.Variable): Float32Array => {
  if (!backend.writableInPlace(variable.dataId)) {
    const copy = backend.output(variable.shape)
    copy.values.set(backend.values(variable))
    const tensor = tf.engine().makeTensorFromTensorInfo(copy.info)
    variable.assign(tensor)
    tensor.dispose()
  }
  return backend.values(variable)
}

const updateInPlace = (
  backend: NativeBackend,
  variable: tf.Variable,
  gradient: tf.Tensor,
  settings: SgdSettings,
  velocity: tf.Variable | undefined
): void => {
  const { learningRate: rate, momentum, weightDecay: decay } = settings
  const w = claim(backend, variable)
  const v = velocity === undefined ? empty : claim(backend, velocity)
  const product = backend.deferredProduct(gradient.dataId)
  if (product === undefined) {
    backend.addon.sgdStep(w, backend.values(gradient), v, rate, momentum, decay)
  } else if (velocity === undefined) {
    backend.accumulateProduct(product, -rate, decay > 0 ? 1 - rate * decay : 1, w)
  } else {
    backend.accumulateProduct(product, -rate, momentum, v)
    if (decay > 0) backend.addon.axpy(-rate * decay, w, v)
    backend.addon.axpy(1, v, w)
  }
}

/** Updates `variable` (and `velocity`, when momentum is used) from `gradient` in place; false when it cannot. */
export type InPlaceSgd = (
  variable: tf.Variable,
  gradient: tf.Tensor,
  settings: SgdSettings,
  velocity?: tf.Variable
) => boolean

/** The in-place update on `backend`, whose tensors the variables must be. */
export const inPlaceSgdOf = (backend: NativeBackend): InPlaceSgd => (variable, gradient, settings, velocity) => {
  const applies = variable.dtype === "float32" &&
    backend.isFloat(gradient) &&
    tf.util.arraysEqual(variable.shape, gradient.shape) &&
    (velocity === undefined || tf.util.arraysEqual(velocity.shape, variable.shape))
  if (applies) updateInPlace(backend, variable, gradient, settings, velocity)
  return applies
}
