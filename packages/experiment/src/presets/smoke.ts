/**
 * A two-cell sweep small enough for CI and for checking an install: rectifier
 * against tanh, two seeds, a tiny net on an MNIST subset, wasm backend.
 */
import type { Preset } from "../Preset.ts"
import { paperError, paperRectifier } from "./References.ts"

export const smoke: Preset = {
  name: "smoke",
  description: "A quick check of the toolchain: rectifier vs tanh, 2 seeds, one 32-unit layer, 500 MNIST examples, 2 epochs.",
  overrides: {
    dataset: { trainSize: 500, evaluationSize: 200 },
    training: { hiddenLayers: [32], epochs: 2, learningRate: 0.05, evaluationBatchSize: 200 },
    backend: "wasm"
  },
  references: [],
  sweep: {
    cells: [
      { label: "rectifier", overrides: { training: paperRectifier }, references: [paperError(0.0143, "Table 1 (MNIST)")] },
      { label: "tanh", overrides: { training: { activation: "tanh" } }, references: [paperError(0.0157, "Table 1 (MNIST)")] }
    ],
    seeds: [1, 2]
  }
}
