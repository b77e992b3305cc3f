/**
 * The momentum step of an RBM's weights, kept as JavaScript arrays, from one
 * batch's factored gradient:
 *   step <- momentum * step + V^T H - decay * W,   W <- W + step,
 * where V^T H is the learning rate times the CD gradient (the rate already
 * folded into H) and decay is the learning rate times the weight cost. On a
 * backend that offers BLAS routines for arrays (the native one) each pass is
 * one BLAS call on the arrays themselves (the new step built in a second
 * buffer, so the old one is never rescaled; the product skips V's zeros when
 * the backend's sparse products are on); on the others the product is the
 * tfjs backend's matMul and the rest one fused JavaScript pass.
 */
import type { Blas } from "@rectifier/backend"
import * as tf from "@tensorflow/tfjs-core"

/** The weights [visible, hidden] row-major and their momentum step, updated in place. */
export interface WeightBuffers {
  readonly visible: number
  readonly hidden: number
  readonly weights: Float32Array
  /** The last step taken; replaced by the new one. */
  step: Float32Array
  /** Room for the next step: on the BLAS path the two trade places each update. */
  spare: Float32Array
}

/** The gradient as V^T H: V is [rows, visible], H is [rows, hidden], both row-major. */
export interface WeightFactors {
  readonly rows: number
  readonly visibles: Float32Array
  readonly hiddens: Float32Array
}

/** Rows x columns `source` into its transpose `target`, in cache-sized tiles. */
export const transposeInto = (source: Float32Array, rows: number, columns: number, target: Float32Array): void => {
  const tile = 32
  for (let i0 = 0; i0 < rows; i0 += tile) {
    const i1 = Math.min(rows, i0 + tile)
    for (let j0 = 0; j0 < columns; j0 += tile) {
      const j1 = Math.min(columns, j0 + tile)
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) target[j * rows + i] = source[i * columns + j]!
      }
    }
  }
}

/** One step; `blas` is the backend's (`capabilities.blas` of `TensorBackend`), undefined where it has none. */
export const stepWeights = (
  buffers: WeightBuffers,
  factors: WeightFactors,
  momentum: number,
  decay: number,
  blas: Blas | undefined
): void => {
  const { hidden, spare, step, visible, weights } = buffers
  const { hiddens, rows, visibles } = factors
  if (blas !== undefined) {
    // The new step is built in the spare buffer: the product, then the earlier step and the decay added in.
    // The backend's product: it skips V's zeros (MNIST pixels, binary visible samples) when its sparse products are on.
    blas.product(true, false, visible, hidden, rows, visibles, hiddens, spare)
    if (momentum !== 0) blas.axpy(momentum, step, spare)
    if (decay !== 0) blas.axpy(-decay, weights, spare)
    blas.axpy(1, spare, weights)
    buffers.step = spare
    buffers.spare = step
    return
  }
  // Returning the tensor (not its values) from tidy: tidy would walk a returned typed array element by element.
  // V transposed first (it is small): the cpu backend's product with a transposed operand is slow.
  const visiblesT = new Float32Array(visibles.length)
  transposeInto(visibles, rows, visible, visiblesT)
  const product = tf.tidy(() => tf.matMul(tf.tensor2d(visiblesT, [visible, rows]), tf.tensor2d(hiddens, [rows, hidden])))
  const gradient = product.dataSync()
  product.dispose()
  for (let at = 0; at < weights.length; at++) {
    const change = momentum * step[at]! + gradient[at]! - decay * weights[at]!
    step[at] = change
    weights[at]! += change
  }
}
