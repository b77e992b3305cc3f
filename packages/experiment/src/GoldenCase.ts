/**
 * The golden cases: small, fast runs of real pipelines whose full outcomes
 * are committed under `golden/` and must be reproduced by every change.
 */
import type { BackendChoice } from "@rectifier/backend"
import type { Tolerance } from "@rectifier/record"

/** One golden case: a preset run small on one backend, its outcome kept in `golden/<name>.json`. */
export interface GoldenCase {
  readonly name: string
  readonly pipeline: string
  /** ConfigOverrides applied on top of the preset. */
  readonly overrides: Readonly<Record<string, unknown>>
  readonly backend: Exclude<BackendChoice, "auto">
  /**
   * How close a rerun must be when the machine differs from the one that
   * recorded the golden file (same CPU model and thread count: bit for bit).
   */
  readonly acrossMachines: Tolerance
}

const small = {
  dataset: { trainSize: 300, evaluationSize: 200 },
  training: { hiddenLayers: [32, 32], epochs: 2, learningRate: 0.05 }
}

/** Pure JS and WebAssembly arithmetic is specified to the bit, so these match everywhere. */
const portable = { relative: 0, absolute: 0 }

/**
 * OpenBLAS picks its kernels for the CPU it runs on, and the addon is built
 * for the machine's own instruction set, so sums are ordered differently on
 * another CPU: costs agree to about 1e-3 relative after two epochs, and an
 * error rate on 200 examples may move by a couple of examples.
 */
const acrossCpus = { relative: 1e-3, absolute: 0.015 }

/** Every golden case that `golden check` reproduces: the cpu, wasm and native backends, a pre-trained run and a sweep. */
export const goldenCases: ReadonlyArray<GoldenCase> = [
  { name: "mnist-relu-cpu", pipeline: "mnist-relu", overrides: small, backend: "cpu", acrossMachines: portable },
  { name: "mnist-relu-wasm", pipeline: "mnist-relu", overrides: small, backend: "wasm", acrossMachines: portable },
  { name: "mnist-tanh-wasm", pipeline: "mnist-tanh", overrides: small, backend: "wasm", acrossMachines: portable },
  { name: "mnist-relu-native", pipeline: "mnist-relu", overrides: small, backend: "native", acrossMachines: acrossCpus },
  {
    name: "mnist-relu-dae-wasm",
    pipeline: "mnist-relu-dae",
    overrides: { ...small, pretraining: { kind: "dae", activation: "rectifier", epochs: 1 } },
    backend: "wasm",
    acrossMachines: portable
  },
  { name: "smoke-sweep-wasm", pipeline: "smoke", overrides: {}, backend: "wasm", acrossMachines: portable }
]
