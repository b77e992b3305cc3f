/**
 * OpenBLAS over caller-owned Float32Arrays, for code that keeps its
 * parameters in JavaScript arrays and would otherwise loop over them in
 * JavaScript, with the sparsity-aware products beside sgemm: the routines of
 * one native backend, which its loader hands out.
 * Every routine writes its output array in place; nothing is allocated.
 */
import { type Addon, BinaryOp } from "./Addon.ts"
import type { NativeBackend } from "./NativeBackend.ts"

/** The addon's own routines that NativeBlas hands out unchanged (their contracts are in Addon.ts). */
type Passed = "sparseGemm" | "maskedGemmNT" | "stepProduct" | "axpy" | "bernoulli"

/**
 * The OpenBLAS routines of one native backend on caller-owned, row-major
 * Float32Arrays: sgemm, the backend's own choice between it and the
 * sparsity-aware one (`product`), the sparsity-aware products (`sparseGemm`,
 * `maskedGemmNT`, `stepProduct`), axpy, scaling, and binary samples drawn
 * from a `RandomStream`'s state (`bernoulli`). Each writes its output in
 * place and allocates nothing; `loadNativeBackend` returns them as `blas`.
 */
export interface NativeBlas extends Pick<Addon, Passed> {
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
   * `gemm`'s product, skipping a's zeros when the backend's sparse products are on and a is
   * sparse enough (NativeBackend's `product`): for callers that keep their operands in arrays and
   * follow the backend's choice. Exactly `gemm` when sparse products are off.
   */
  readonly product: (
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array
  ) => void
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
    product: (transposeA, transposeB, m, n, k, a, b, c) => backend.product(transposeA, transposeB, m, n, k, 1, a, b, 0, c),
    sparseGemm: addon.sparseGemm.bind(addon),
    maskedGemmNT: addon.maskedGemmNT.bind(addon),
    stepProduct: addon.stepProduct.bind(addon),
    axpy: addon.axpy.bind(addon),
    bernoulli: addon.bernoulli.bind(addon),
    scale: (alpha, x) =>
      addon.binary(BinaryOp.mul, x, Float32Array.of(alpha), x, Int32Array.of(x.length), unitStride, broadcast)
  }
}
