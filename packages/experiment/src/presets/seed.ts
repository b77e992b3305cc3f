/**
 * The seed article's tables: its rows include sigmoid, hard tanh and RBM
 * pre-training, which the paper does not have. Its numbers are shown beside
 * the paper's wherever the paper has the same row.
 */
import type { ActivationSpec } from "@rectifier/activations"
import type { Reference } from "@rectifier/record"
import type { ConfigOverrides } from "../ConfigOverrides.ts"
import type { Preset, SweepCell } from "../Preset.ts"
import { pretrainingFor, type PretrainingKind } from "./Pretraining.ts"
import { paperError, paperRectifier, seedError } from "./References.ts"

interface Row {
  readonly label: string
  readonly activation: ActivationSpec
  readonly pretraining?: PretrainingKind
  readonly seed: number
  readonly paper?: Reference
}

const cell = (row: Row, where: string): SweepCell => ({
  label: row.label,
  overrides: {
    training: row.activation === "rectifier-alternating" ? paperRectifier : { activation: row.activation },
    ...(row.pretraining === undefined ? {} : { pretraining: pretrainingFor(row.pretraining, row.activation) })
  },
  references: [seedError(row.seed, where), ...(row.paper === undefined ? [] : [row.paper])]
})

const make = (name: string, description: string, where: string, rows: ReadonlyArray<Row>, overrides: ConfigOverrides): Preset => ({
  name,
  description,
  overrides,
  references: [],
  sweep: { cells: rows.map((row) => cell(row, where)), seeds: [1, 2, 3] }
})

export const seedMnist = make(
  "seed-mnist",
  "The seed article's MNIST table: sigmoid, tanh and ReLU 3-layer nets, each without and with RBM pre-training.",
  "MNIST, 3 hidden layers",
  [
    { label: "sigmoid", activation: "sigmoid", seed: 0.0294 },
    { label: "sigmoid, RBM", activation: "sigmoid", pretraining: "rbm", seed: 0.0167 },
    { label: "tanh", activation: "tanh", seed: 0.022, paper: paperError(0.0157, "Table 1 (MNIST)") },
    { label: "tanh, RBM", activation: "tanh", pretraining: "rbm", seed: 0.0155 },
    { label: "ReLU", activation: "rectifier-alternating", seed: 0.0143, paper: paperError(0.0143, "Table 1 (MNIST)") },
    { label: "ReLU, RBM", activation: "rectifier-alternating", pretraining: "rbm", seed: 0.015 }
  ],
  {}
)

export const seedNorb = make(
  "seed-norb",
  "The seed article's NORB table: sigmoid (with and without RBM), tanh, softplus, hard tanh and ReLU on a 4000-2000 net.",
  "NORB",
  [
    { label: "sigmoid", activation: "sigmoid", seed: 0.184 },
    { label: "sigmoid, RBM", activation: "sigmoid", pretraining: "rbm", seed: 0.165 },
    { label: "tanh", activation: "tanh", seed: 0.176, paper: paperError(0.1929, "Table 1 (NORB)") },
    { label: "softplus", activation: "softplus", seed: 0.17, paper: paperError(0.1768, "Table 1 (NORB)") },
    { label: "hard tanh", activation: "hard-tanh", seed: 0.169 },
    { label: "ReLU", activation: "rectifier-alternating", seed: 0.164, paper: paperError(0.164, "Table 1 (NORB)") }
  ],
  { dataset: { name: "norb" }, training: { hiddenLayers: [4000, 2000] } }
)

export const seedNistp = make(
  "seed-nistp",
  "The seed article's NISTP table on EMNIST (NISTP's public stand-in): sigmoid with and without RBM, tanh and ReLU.",
  "NISTP",
  [
    { label: "sigmoid", activation: "sigmoid", seed: 0.12 },
    { label: "sigmoid, RBM", activation: "sigmoid", pretraining: "rbm", seed: 0.094 },
    { label: "tanh", activation: "tanh", seed: 0.103, paper: paperError(0.3646, "Table 1 (NISTP)") },
    { label: "ReLU", activation: "rectifier-alternating", seed: 0.088, paper: paperError(0.3264, "Table 1 (NISTP)") }
  ],
  { dataset: { name: "emnist" } }
)
