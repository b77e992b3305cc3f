/**
 * Shared pieces of the conformance tests: seeded random tensors, running the
 * same computation on the native and the cpu backend, and comparing results
 * with an explicit tolerance.
 */
import "@tensorflow/tfjs"
import * as tf from "@tensorflow/tfjs-core"
import { RandomStream } from "@rectifier/core"
import { addonBuilt as built, type LoadedNative, loadNativeBackend } from "../src/index.ts"

/** Whether the addon was built on this machine (CI installs libopenblas-dev, so there it is). */
export const addonBuilt = built()

/** Loads the backend with `threads` OpenBLAS threads; returns its routines. */
export const setUp = (threads = 1): Promise<LoadedNative> => loadNativeBackend({ threads })

export const uniform = (stream: RandomStream, shape: ReadonlyArray<number>, low = -1, high = 1): Float32Array => {
  let size = 1
  for (const d of shape) size *= d
  return stream.fillUniform(new Float32Array(size), low, high)
}

/** Runs `compute` on one backend (switching to it and back) and returns the outputs' values and shapes. */
export const on = async (
  backend: "native" | "cpu",
  compute: () => tf.Tensor | ReadonlyArray<tf.Tensor>
): Promise<Array<{ shape: Array<number>; values: Float32Array }>> => {
  const previous = tf.getBackend() ?? "cpu"
  await tf.setBackend(backend)
  try {
    return tf.tidy(() => {
      const out = compute()
      const list = Array.isArray(out) ? out : [out as tf.Tensor]
      return list.map((t) => ({ shape: [...t.shape], values: Float32Array.from(t.dataSync()) }))
    })
  } finally {
    await tf.setBackend(previous)
  }
}

/** Largest violation of |a - b| <= atol + rtol |b|, or a description of a shape mismatch. */
export const mismatch = (
  actual: { shape: Array<number>; values: Float32Array },
  expected: { shape: Array<number>; values: Float32Array },
  atol: number,
  rtol: number
): string | undefined => {
  if (actual.shape.join(",") !== expected.shape.join(",")) return `shape ${actual.shape} vs ${expected.shape}`
  for (let i = 0; i < expected.values.length; i++) {
    const a = actual.values[i]!
    const b = expected.values[i]!
    if (Number.isNaN(b) && Number.isNaN(a)) continue
    if (a === b) continue
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) return `element ${i}: ${a} vs ${b}`
  }
  return undefined
}

/** Asserts that `compute` gives the same results on native as on cpu. */
export const conforms = async (
  compute: () => tf.Tensor | ReadonlyArray<tf.Tensor>,
  atol = 1e-5,
  rtol = 1e-5
): Promise<string | undefined> => {
  const expected = await on("cpu", compute)
  const actual = await on("native", compute)
  for (let i = 0; i < expected.length; i++) {
    const problem = mismatch(actual[i]!, expected[i]!, atol, rtol)
    if (problem !== undefined) return `output ${i}: ${problem}`
  }
  return undefined
}
