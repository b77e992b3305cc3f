/**
 * What a tensor backend offers beyond tfjs's kernels, so that algorithms ask
 * the backend service instead of detecting the backend themselves: the BLAS it
 * computes with (and its routines for JavaScript arrays), how it updates a
 * variable by SGD, whether a product may take its operand transposed, and a
 * dense layer fused into one op.
 */
import type { DenseLayer, NativeBlas } from "@rectifier/backend-native"
import { functionalSgdUpdate, type SgdUpdate } from "./SgdUpdate.ts"

/** BLAS routines on caller-owned Float32Arrays, writing their outputs in place, and the library's name. */
export type Blas = NativeBlas

/**
 * A dense layer f(x W + b) as one op with its own gradient, for f the rectifier (`relu`) or none
 * (`linear`), bit-identical to tfjs's fused product followed by `tf.relu`.
 */
export type FusedDenseLayer = DenseLayer

/** How the backend updates a variable by SGD: in place (native, where it can) or through tfjs ops. */
export interface SgdOperation {
  /** True when `update` writes float32 variables in place instead of assigning the results of tfjs ops. */
  readonly inPlace: boolean
  readonly update: SgdUpdate
}

/** What the backend offers beyond tfjs's kernels; the service's `capabilities`, which algorithms ask instead of the engine. */
export interface Capabilities {
  /** The BLAS the backend's products run on, with its routines; undefined when it calls none of its own. */
  readonly blas: Blas | undefined
  readonly sgd: SgdOperation
  /**
   * True when a product reads a transposed operand in place (the transpose goes
   * to BLAS, and a lone product with one is deferred until read), so keeping a
   * transposed copy buys nothing; false where callers should keep one.
   */
  readonly transposedOperandsInPlace: boolean
  /**
   * The backend's fused dense layer (fewer engine dispatches per layer and step); undefined where
   * it has none, and callers compose tfjs's ops (`tf.fused.matMul`, then the activation).
   */
  readonly denseLayer: FusedDenseLayer | undefined
}

/** A backend that offers nothing beyond its kernels: no BLAS of its own, the functional SGD update, no fused layer. */
export const kernelsOnly: Capabilities = {
  blas: undefined,
  sgd: { inPlace: false, update: functionalSgdUpdate },
  transposedOperandsInPlace: false,
  denseLayer: undefined
}
