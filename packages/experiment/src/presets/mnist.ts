/**
 * The MNIST rows of the paper's Table 1 without pre-training, and the seed
 * article's MNIST rows, one preset per neuron.
 */
import type { Preset } from "../Preset.ts"

const table1 = "Table 1 (MNIST, no pre-training)"
const seedMnist = "MNIST, 3 hidden layers"

export const mnistRelu: Preset = {
  name: "mnist-relu",
  description: "The paper's flagship: a 3 x 1000 rectifier net on MNIST without pre-training, " +
    "half of each layer's units negated and an L1 penalty of 0.001 on the activations.",
  overrides: { training: { activation: "rectifier-alternating", l1Penalty: 0.001 } },
  references: [
    { metric: "testError", value: 0.0143, source: "paper", where: table1 },
    { metric: "sparsity", value: 0.834, source: "paper", where: "Section 4.1, average exact sparsity" },
    { metric: "testError", value: 0.0143, source: "seed-article", where: seedMnist },
    { metric: "sparsity", value: 0.6, source: "seed-article", where: "L1 sweep, lambda = 0.001" }
  ]
}

export const mnistTanh: Preset = {
  name: "mnist-tanh",
  description: "A 3 x 1000 tanh net on MNIST without pre-training (Table 1's tanh row).",
  overrides: { training: { activation: "tanh" } },
  references: [
    { metric: "testError", value: 0.0157, source: "paper", where: table1 },
    { metric: "testError", value: 0.022, source: "seed-article", where: seedMnist }
  ]
}

export const mnistSoftplus: Preset = {
  name: "mnist-softplus",
  description: "A 3 x 1000 softplus net on MNIST without pre-training (Table 1's softplus row).",
  overrides: { training: { activation: "softplus" } },
  references: [{ metric: "testError", value: 0.0177, source: "paper", where: table1 }]
}

export const mnistSigmoid: Preset = {
  name: "mnist-sigmoid",
  description: "A 3 x 1000 sigmoid net on MNIST without pre-training (the seed article's baseline row).",
  overrides: { training: { activation: "sigmoid" } },
  references: [{ metric: "testError", value: 0.0294, source: "seed-article", where: seedMnist }]
}
