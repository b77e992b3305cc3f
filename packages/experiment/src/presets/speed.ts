/**
 * The speed comparison: time per epoch and epochs to the best validation
 * error, per activation, on the paper's MNIST net (the seed claims ReLU
 * epochs are about 4x cheaper than sigmoid ones and converge sooner).
 */
import type { Preset, SweepCell } from "../Preset.ts"
import { paperRectifier } from "./References.ts"

const rows = [
  ["sigmoid", { activation: "sigmoid" }],
  ["tanh", { activation: "tanh" }],
  ["softplus", { activation: "softplus" }],
  ["rectifier", paperRectifier]
] as const

export const speed: Preset = {
  name: "speed",
  description: "Time per epoch and epochs to the best validation error for sigmoid, tanh, softplus and rectifier " +
    "nets on MNIST (same machine, same backend, one run at a time).",
  overrides: { training: { epochs: 20 } },
  references: [],
  sweep: {
    cells: rows.map(([label, training]): SweepCell => ({ label, overrides: { training }, references: [] })),
    seeds: [1, 2, 3]
  }
}
