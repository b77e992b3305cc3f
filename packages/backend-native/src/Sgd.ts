/**
 * The SGD step w <- w - lr * g. On the native backend, when nothing but the
 * variable can observe its buffer, the update is one in-place OpenBLAS axpy;
 * otherwise (other backends, shared or exported buffers) it is the ordinary
 * functional update, which gives the variable a fresh buffer that later steps
 * can update in place.
 */
import * as tf from "@tensorflow/tfjs-core"
import { NativeBackend } from "./NativeBackend.ts"

export const sgdUpdate = (variable: tf.Variable, gradient: tf.Tensor, learningRate: number): void => {
  const backend = tf.backend()
  if (
    backend instanceof NativeBackend &&
    variable.dtype === "float32" &&
    backend.isFloat(gradient) &&
    tf.util.arraysEqual(variable.shape, gradient.shape) &&
    backend.writableInPlace(variable.dataId)
  ) {
    backend.addon.axpy(-learningRate, backend.values(gradient), backend.values(variable))
    return
  }
  tf.tidy(() => {
    variable.assign(tf.sub(variable, tf.mul(gradient, tf.scalar(learningRate))))
  })
}
