/**
 * OpenBLAS over caller-owned Float32Arrays, for code that keeps its
 * parameters in JavaScript arrays and would otherwise loop over them in
 * JavaScript, with the sparsity-aware products beside sgemm: the routines of
 * one native backend, which its loader hands out.
 * Every routine writes its output array in place; nothing is allocated.
 */
import { BinaryOp } from "./Addon.ts"
import type { NativeBackend } from "./NativeBackend.ts"

export interface NativeBlas {
  /** The OpenBLAS build, as it describes itself (version, target core, threading). */
  readonly library: string
  /** c = op(a) op(b) for row-major a (m x k, or k x m transposed) and b (k x n, or n x k transposed); c is m x n. */
  readonly gemm: (
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array
  ) => void
  /**
   * c = alpha op(a) op(b) + beta c skipping a's exact zeros, when at most `maxDensity` of a is
   * nonzero; else c is left alone. Returns a's density (Sparse.ts; the addon's `sparseGemm`).
   */
  readonly sparseGemm: (
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    b: Float32Array,
    beta: number,
    c: Float32Array,
    maxDensity: number
  ) => number
  /**
   * c = (a bᵀ) * step(x), computed only where x > 0, when at most `maxDensity` of x is; else c is
   * left alone. Returns the share of x > 0 (the addon's `maskedGemmNT`).
   */
  readonly maskedGemmNT: (
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    x: Float32Array,
    c: Float32Array,
    maxDensity: number
  ) => number
  /** out = y * step(x) (step: 1 for x > 0, 0 elsewhere, NaN for NaN): the dense path's rectifier gradient. */
  readonly stepProduct: (y: Float32Array, x: Float32Array, out: Float32Array) => void
  /** y += alpha * x. */
  readonly axpy: (alpha: number, x: Float32Array, y: Float32Array) => void
  /** x *= alpha. */
  readonly scale: (alpha: number, x: Float32Array) => void
}

const unitStride = Int32Array.of(1)
const broadcast = Int32Array.of(0)

/** The routines of `backend`'s OpenBLAS. */
export const blasOf = (backend: NativeBackend): NativeBlas => {
  const { addon } = backend
  return {
    library: addon.config().trim(),
    gemm: (transposeA, transposeB, m, n, k, a, b, c) => addon.gemm(transposeA, transposeB, 1, m, n, k, 1, a, 0, b, 0, 0, c),
    sparseGemm: (transposeA, transposeB, m, n, k, alpha, a, b, beta, c, maxDensity) =>
      addon.sparseGemm(transposeA, transposeB, m, n, k, alpha, a, b, beta, c, maxDensity),
    maskedGemmNT: (m, n, k, a, b, x, c, maxDensity) => addon.maskedGemmNT(m, n, k, a, b, x, c, maxDensity),
    stepProduct: (y, x, out) => addon.stepProduct(y, x, out),
    axpy: (alpha, x, y) => addon.axpy(alpha, x, y),
    scale: (alpha, x) =>
      addon.binary(BinaryOp.mul, x, Float32Array.of(alpha), x, Int32Array.of(x.length), unitStride, broadcast)
  }
}
