/**
 * When the native backend's products skip zeros. A rectifier's outputs (and
 * scaled pixels) are mostly exact zeros; the addon's sparsity-aware products
 * (addon/native.cc, `sparseGemm` and `maskedGemmNT`) touch only the nonzeros
 * of the sparse operand, or only the entries the rectifier's mask keeps. Each
 * call measures the operand's density and runs sparsely only at or below a
 * limit, else the backend runs OpenBLAS's dense sgemm, which is faster there.
 *
 * Off by default: the sparse products round differently from sgemm (they add
 * in another order), so switching them on moves numbers in the last bits.
 */

export interface SparseProducts {
  /** The largest density (fraction of nonzeros) of op(A) at which a product skips A's zeros. */
  readonly maxDensity: number
  /** The largest fraction of the mask's kept entries at which the rectifier's input gradient is computed masked. */
  readonly maxMaskDensity: number
}

/**
 * The limits `auto` uses: below where the sparse products overtook sgemm in a same-run comparison at
 * one thread (packages/bench/README.md, "Sparse products"): a product at about 40% nonzeros (since
 * the twelfth session's packed, fused kernels; 20% before), the masked input gradient at about 15-20%
 * kept entries.
 */
export const autoSparseProducts: SparseProducts = { maxDensity: 0.35, maxMaskDensity: 0.15 }

/** How many products took each path since the backend was registered (tests and benchmarks read it). */
export interface ProductCounts {
  dense: number
  sparse: number
  masked: number
}

/** The record's one-line description of `settings`. */
export const describeSparse = (settings: SparseProducts): string =>
  `skip zeros at density <= ${settings.maxDensity}, masked input gradient at <= ${settings.maxMaskDensity}`
