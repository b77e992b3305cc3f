/**
 * The rectifier's descendants on MNIST, on the paper's net and protocol:
 * leaky ReLU, PReLU, ELU, SELU, GELU, SiLU, Mish, Maxout and SwiGLU, each
 * tested against the plain rectifier.
 */
import type { ActivationSpec } from "@rectifier/activations"
import type { Preset, SweepCell } from "../Preset.ts"

const rows: ReadonlyArray<readonly [string, ActivationSpec]> = [
  ["rectifier", "rectifier"],
  ["leaky ReLU", "leaky-rectifier"],
  ["PReLU", "prelu"],
  ["ELU", "elu"],
  ["SELU", "selu"],
  ["GELU", "gelu"],
  ["SiLU", { name: "swish", beta: 1 }],
  ["Mish", "mish"],
  ["Maxout", "maxout"],
  ["SwiGLU", "swiglu"]
]

export const modern: Preset = {
  name: "modern",
  description: "The rectifier's descendants (leaky ReLU, PReLU, ELU, SELU, GELU, SiLU, Mish, Maxout, SwiGLU) " +
    "on the paper's MNIST net, each against the plain rectifier.",
  overrides: {},
  references: [],
  sweep: {
    cells: rows.map(([label, activation]): SweepCell => ({ label, overrides: { training: { activation } }, references: [] })),
    seeds: [1, 2, 3]
  }
}
