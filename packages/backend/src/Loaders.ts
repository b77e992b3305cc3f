/**
 * How each backend is brought into the TensorFlow.js engine. Each loader
 * imports its module lazily (so an optional package that is absent costs
 * nothing) and returns the name it registered under, what the run record
 * should say about it, and what it can do beyond tfjs's kernels.
 */
import * as tf from "@tensorflow/tfjs-core"
import { existsSync } from "node:fs"
import type { BackendName, SparseChoice, SubnormalChoice } from "./BackendName.ts"
import { type Capabilities, kernelsOnly } from "./Capabilities.ts"
import { inPlaceOrFunctional } from "./SgdUpdate.ts"

/** What a loaded backend reports about itself. */
export interface LoadedBackend {
  /** The name the backend registered with the tfjs engine. */
  readonly engineName: string
  /** Free-form facts for the run record (library versions, threads, device). */
  readonly details: Readonly<Record<string, string | number | boolean>>
  readonly capabilities: Capabilities
}

export interface LoaderOptions {
  /** Threads for backends that can use several (native, wasm). */
  readonly threads: number
  /** The native backend's compiled addon, when not the one its package built (`$RECTIFIER_NATIVE_ADDON`). */
  readonly nativeAddon?: string | undefined
  /** Whether the native backend's products skip zeros (BackendOptions' `sparse`); other backends have no such products. */
  readonly sparse: SparseChoice
  /** Whether the native backend's kernels flush subnormals to zero (BackendOptions' `subnormals`). */
  readonly subnormals: SubnormalChoice
}

export type Loader = (options: LoaderOptions) => Promise<LoadedBackend>

/** True when an NVIDIA driver and device are visible, so tfjs-node-gpu is worth trying. */
const cudaDeviceVisible = (): boolean =>
  existsSync("/proc/driver/nvidia/version") || existsSync("/dev/nvidia0")

const loadTensorflow: Loader = async () => {
  const errors: Array<string> = []
  const candidates = cudaDeviceVisible()
    ? ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]
    : ["@tensorflow/tfjs-node"]
  for (const specifier of candidates) {
    try {
      const module = await import(specifier)
      return {
        engineName: "tensorflow",
        details: { package: specifier, version: String(module.version?.["tfjs-node"] ?? "unknown") },
        capabilities: kernelsOnly
      }
    } catch (error) {
      errors.push(`${specifier}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`)
    }
  }
  throw new Error(errors.join("; "))
}

let wasmTransposesExplicit = false

/**
 * The wasm backend's matmul with a transposed operand runs about 10x slower
 * than the plain one; the backward pass of every dense layer asks for exactly
 * that. This puts a BatchMatMul in front of wasm's own that transposes the
 * operand explicitly (wasm's Transpose kernel) and runs the plain product.
 */
const explicitWasmTransposes = (): void => {
  if (wasmTransposesExplicit) return
  const original = tf.getKernel("BatchMatMul", "wasm")
  const transpose = tf.getKernel("Transpose", "wasm")
  if (original === undefined || transpose === undefined) return
  const swapLast = (info: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo => {
    const perm = info.shape.map((_, i) => i)
    const r = perm.length
    ;[perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!]
    return transpose.kernelFunc({ inputs: { x: info }, backend, attrs: { perm } }) as tf.TensorInfo
  }
  const kernelFunc: tf.KernelFunc = (args) => {
    const transposeA = args.attrs?.["transposeA"] === true
    const transposeB = args.attrs?.["transposeB"] === true
    if (!transposeA && !transposeB) return original.kernelFunc(args)
    const backend = args.backend as tf.KernelBackend
    const a = args.inputs["a"]!
    const b = args.inputs["b"]!
    const ta = transposeA ? swapLast(a, backend) : a
    const tb = transposeB ? swapLast(b, backend) : b
    const out = original.kernelFunc({
      ...args,
      inputs: { a: ta, b: tb },
      attrs: { ...args.attrs, transposeA: false, transposeB: false }
    })
    if (transposeA) backend.disposeData(ta.dataId)
    if (transposeB) backend.disposeData(tb.dataId)
    return out
  }
  tf.unregisterKernel("BatchMatMul", "wasm")
  const replacement: tf.KernelConfig = { kernelName: "BatchMatMul", backendName: "wasm", kernelFunc }
  if (original.setupFunc !== undefined) replacement.setupFunc = original.setupFunc
  if (original.disposeFunc !== undefined) replacement.disposeFunc = original.disposeFunc
  tf.registerKernel(replacement)
  wasmTransposesExplicit = true
}

const loadWasm: Loader = async (options) => {
  const wasm = await import("@tensorflow/tfjs-backend-wasm")
  wasm.setThreadsCount(options.threads)
  explicitWasmTransposes()
  return {
    engineName: "wasm",
    details: { version: wasm.version_wasm, threads: options.threads, transposedMatMul: "explicit transpose" },
    capabilities: kernelsOnly
  }
}

const loadCpu: Loader = async () => {
  const cpu = await import("@tensorflow/tfjs-backend-cpu")
  return { engineName: "cpu", details: { version: cpu.version_cpu }, capabilities: kernelsOnly }
}

/**
 * The native OpenBLAS backend lives in its own package with an N-API addon;
 * it is imported at run time and rejects, saying why, when the addon was not
 * built (no OpenBLAS at install time), so `auto` moves on to wasm. It offers
 * OpenBLAS for arrays, the in-place SGD update, products that read a
 * transposed operand in place, and the fused dense layer; with `sparse: "auto"` its products skip the
 * zeros of sparse operands, with `subnormals: "flush"` its kernels flush subnormal floats to zero.
 */
const loadNative: Loader = async (options) => {
  const native = await import("@rectifier/backend-native")
  const { blas, denseLayer, details, engineName, inPlaceSgd } = await native.loadNativeBackend({
    threads: options.threads,
    addon: options.nativeAddon,
    sparse: options.sparse === "auto" ? native.autoSparseProducts : undefined,
    flushSubnormals: options.subnormals === "flush"
  })
  return {
    engineName,
    details,
    capabilities: {
      blas,
      sgd: { inPlace: true, update: inPlaceOrFunctional(inPlaceSgd) },
      transposedOperandsInPlace: true,
      denseLayer
    }
  }
}

export const loaders: Readonly<Record<BackendName, Loader>> = {
  tensorflow: loadTensorflow,
  native: loadNative,
  wasm: loadWasm,
  cpu: loadCpu
}

/** What to tell a user whose chosen backend did not load. */
export const hints: Readonly<Record<BackendName, string>> = {
  tensorflow: "install @tensorflow/tfjs-node (or -node-gpu) on a machine that can download libtensorflow",
  native: "install OpenBLAS (Debian/Ubuntu: apt-get install libopenblas-dev; Fedora: dnf install openblas-devel; " +
    "macOS: brew install openblas) and run pnpm rebuild @rectifier/backend-native (in the rectifier repository: pnpm install)",
  wasm: "reinstall dependencies with pnpm install",
  cpu: "reinstall dependencies with pnpm install"
}
