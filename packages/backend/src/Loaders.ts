/**
 * How each backend is brought into the TensorFlow.js engine. Each loader
 * imports its module lazily (so an optional package that is absent costs
 * nothing) and returns the name it registered under plus what the run record
 * should say about it.
 */
import { existsSync } from "node:fs"
import type { BackendName } from "./BackendName.ts"

/** What a loaded backend reports about itself. */
export interface LoadedBackend {
  /** The name the backend registered with the tfjs engine. */
  readonly engineName: string
  /** Free-form facts for the run record (library versions, threads, device). */
  readonly details: Readonly<Record<string, string | number | boolean>>
}

export interface LoaderOptions {
  /** Threads for backends that can use several (native, wasm). */
  readonly threads: number
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
        details: { package: specifier, version: String(module.version?.["tfjs-node"] ?? "unknown") }
      }
    } catch (error) {
      errors.push(`${specifier}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`)
    }
  }
  throw new Error(errors.join("; "))
}

const loadWasm: Loader = async (options) => {
  const wasm = await import("@tensorflow/tfjs-backend-wasm")
  wasm.setThreadsCount(options.threads)
  return { engineName: "wasm", details: { version: wasm.version_wasm, threads: options.threads } }
}

const loadCpu: Loader = async () => {
  const cpu = await import("@tensorflow/tfjs-backend-cpu")
  return { engineName: "cpu", details: { version: cpu.version_cpu } }
}

/**
 * The native OpenBLAS backend lives in its own package with an N-API addon;
 * it is resolved at run time so that a machine without it still works.
 */
const loadNative: Loader = async () => {
  throw new Error("the native OpenBLAS backend is not built into this installation")
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
  native: "install OpenBLAS (Debian/Ubuntu: apt-get install libopenblas-dev) and run pnpm install again",
  wasm: "reinstall dependencies with pnpm install",
  cpu: "reinstall dependencies with pnpm install"
}
