/**
 * Putting the native backend into the tfjs engine under the name "native":
 * every kernel the cpu backend has is registered for it too, the native
 * kernels in front of the cpu ones they replace, and the native-only kernels
 * (the dense layer's gradient) beside them.
 */
import * as tf from "@tensorflow/tfjs-core"
import type { KernelConfig, KernelFunc, NamedTensorInfoMap } from "@tensorflow/tfjs-core"
import "@tensorflow/tfjs-backend-cpu"
import type { Addon } from "./Addon.ts"
import { nativeKernels, nativeOnlyKernels } from "./Kernels.ts"
import { NativeBackend } from "./NativeBackend.ts"

export const engineName = "native"

/** Kernels of the cpu backend that share their input's data (by reference count), never a view of it. */
const sharing = new Set(["Reshape", "Identity", "Cast"])

const exposeInputs = (backend: NativeBackend, inputs: NamedTensorInfoMap) => {
  for (const input of Object.values(inputs)) if (input !== undefined) backend.expose(input.dataId)
}

/** The cpu kernel, marking its inputs as possibly aliased by its outputs. */
const viaCpu = (config: KernelConfig): KernelFunc => {
  if (sharing.has(config.kernelName)) return config.kernelFunc
  return (args) => {
    exposeInputs(args.backend as NativeBackend, args.inputs)
    return config.kernelFunc(args)
  }
}

let registered: NativeBackend | undefined

/** Registers the backend and its kernels once per process; returns the one backend instance. */
export const registerNative = (addon: Addon, poolBytes: number): NativeBackend => {
  if (registered !== undefined) return registered
  // Made here, not by the engine, so that the loader can hand out routines bound to it.
  const backend = new NativeBackend(addon, poolBytes)
  // Lowest priority: the engine only uses "native" when asked for it by name.
  tf.registerBackend(engineName, () => backend, 0)
  for (const config of tf.getKernelsForBackend("cpu")) {
    const fallback = viaCpu(config)
    const native = nativeKernels[config.kernelName]
    // A native kernel gives one output, several (SplitV), or undefined to hand the inputs to the cpu kernel.
    const kernelFunc: KernelFunc = native === undefined ? fallback : (args) =>
      native(args.backend as NativeBackend, args.inputs, args.attrs ?? {}) ?? fallback(args)
    const kernel: KernelConfig = { kernelName: config.kernelName, backendName: engineName, kernelFunc }
    if (config.setupFunc !== undefined) kernel.setupFunc = config.setupFunc
    if (config.disposeFunc !== undefined) kernel.disposeFunc = config.disposeFunc
    tf.registerKernel(kernel)
  }
  for (const [kernelName, native] of Object.entries(nativeOnlyKernels)) {
    tf.registerKernel({
      kernelName,
      backendName: engineName,
      kernelFunc: (args) => native(args.backend as NativeBackend, args.inputs, args.attrs ?? {})
    })
  }
  registered = backend
  return backend
}
