/**
 * @rectifier/backend-native: a TensorFlow.js backend that keeps the cpu
 * backend's tensors and computes the training path's kernels in an N-API
 * addon over OpenBLAS.
 *
 * @module @rectifier/backend-native
 */
import { loadAddon } from "./Addon.ts"
import { blasOf, type NativeBlas } from "./Blas.ts"
import { type DenseLayer, denseLayerOf } from "./Dense.ts"
import { engineName, registerNative } from "./Register.ts"
import { type InPlaceSgd, inPlaceSgdOf } from "./Sgd.ts"
import { describeSparse, type SparseProducts } from "./Sparse.ts"

export { addonBuilt, defaultAddonPath, installHint } from "./Addon.ts"
export type { NativeBlas } from "./Blas.ts"
export type { DenseActivation, DenseLayer } from "./Dense.ts"
export { NativeBackend } from "./NativeBackend.ts"
export type { InPlaceSgd, SgdSettings } from "./Sgd.ts"
export { autoSparseProducts, type ProductCounts, type SparseProducts } from "./Sparse.ts"

/** How `loadNativeBackend` sets up the backend: OpenBLAS threads, buffer pool, which addon, sparse products, subnormals. */
export interface NativeOptions {
  /** OpenBLAS threads (process-wide). Results are bit-identical across runs for a fixed count. */
  readonly threads: number
  /** Most bytes of recycled output buffers held for reuse; default 512 MiB. The first load in a process sets it. */
  readonly poolBytes?: number
  /** The compiled addon to load; default the one this package's install built (`defaultAddonPath`). */
  readonly addon?: string | undefined
  /**
   * When products skip zeros (Sparse.ts); default never, every product is sgemm. Each load sets it
   * for the one backend of the process.
   */
  readonly sparse?: SparseProducts | undefined
  /**
   * Whether the addon's kernels flush subnormal floats to zero (x86's FTZ and DAZ modes): far faster
   * when a fitted net's gradients underflow, different in the last bits wherever a subnormal occurs.
   * Default off (IEEE subnormals). Needs `threads` 1: OpenBLAS's worker threads keep the default
   * mode. Each load sets it for the one backend of the process.
   */
  readonly flushSubnormals?: boolean | undefined
}

/** What `loadNativeBackend` hands back once the "native" backend is registered. */
export interface LoadedNative {
  /** The name the backend is registered under with the tfjs engine (`tf.setBackend("native")`). */
  readonly engineName: "native"
  /** What a run record says about it: threads, the OpenBLAS build, the pool's size in MiB, and sparse products and flushed subnormals when on. */
  readonly details: Readonly<Record<string, string | number | boolean>>
  /** OpenBLAS on caller-owned arrays. */
  readonly blas: NativeBlas
  /** The in-place SGD update of the backend's variables. */
  readonly inPlaceSgd: InPlaceSgd
  /** A dense layer (product, bias, rectifier or none) as one op with a one-kernel gradient, bit-identical to tfjs's ops. */
  readonly denseLayer: DenseLayer
}

/**
 * Registers the "native" backend with the tfjs engine (once) and sets the
 * OpenBLAS thread count; returns what the record should say about it and the
 * routines that work on its tensors and arrays. Rejects, saying why and how to
 * fix it, when the addon was not built.
 */
export const loadNativeBackend = async (options: NativeOptions): Promise<LoadedNative> => {
  const addon = loadAddon(options.addon)
  if (!Number.isInteger(options.threads) || options.threads < 1) {
    throw new Error(`threads must be a positive integer, got ${options.threads}`)
  }
  if (options.flushSubnormals === true && options.threads !== 1) {
    throw new Error(
      `flushing subnormals needs threads 1, got ${options.threads}: OpenBLAS's worker threads keep the CPU's default float mode`
    )
  }
  const poolBytes = options.poolBytes ?? 512 * 1024 * 1024
  const backend = registerNative(addon, poolBytes)
  addon.setThreads(options.threads)
  addon.setSubnormals(options.flushSubnormals === true)
  backend.sparse = options.sparse
  const blas = blasOf(backend)
  return {
    engineName,
    details: {
      threads: addon.getThreads(),
      blas: blas.library,
      bufferPoolMiB: Math.round(poolBytes / (1024 * 1024)),
      // Only when on, so that records of runs with every product on sgemm stay as they were.
      ...(options.sparse === undefined ? {} : { sparseProducts: describeSparse(options.sparse) }),
      ...(options.flushSubnormals === true ? { subnormals: "flushed to zero (FTZ, DAZ)" } : {})
    },
    blas,
    inPlaceSgd: inPlaceSgdOf(backend),
    denseLayer: denseLayerOf(backend)
  }
}
