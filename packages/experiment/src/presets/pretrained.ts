/**
 * Pre-trained MNIST rows: the paper's stacked denoising auto-encoders (Table 1,
 * "with pre-training") and the seed article's RBM pipeline. The stack's
 * sizes always follow the MLP's hidden layers.
 */
import type { Preset } from "../Preset.ts"
import { pretrainingFor } from "./Pretraining.ts"

const table1 = "Table 1 (MNIST, with pre-training)"
const seedMnist = "MNIST, 3 hidden layers, with RBM pre-training"

export const mnistReluDae: Preset = {
  name: "mnist-relu-dae",
  description: "A 3 x 1000 rectifier net on MNIST pre-trained as stacked denoising auto-encoders " +
    "(masking noise 0.25, softplus reconstruction, quadratic cost), then fine-tuned.",
  overrides: {
    pretraining: pretrainingFor("dae", "rectifier"),
    training: { activation: "rectifier", l1Penalty: 0.001 }
  },
  references: [
    { metric: "testError", value: 0.012, source: "paper", where: table1 }
  ]
}

export const mnistTanhDae: Preset = {
  name: "mnist-tanh-dae",
  description: "A 3 x 1000 tanh net on MNIST pre-trained as stacked denoising auto-encoders " +
    "(masking noise 0.25, sigmoid reconstruction, cross-entropy), then fine-tuned.",
  overrides: {
    pretraining: pretrainingFor("dae", "tanh"),
    training: { activation: "tanh" }
  },
  references: [
    { metric: "testError", value: 0.0116, source: "paper", where: table1 }
  ]
}

export const mnistSoftplusDae: Preset = {
  name: "mnist-softplus-dae",
  description: "A 3 x 1000 softplus net on MNIST pre-trained as stacked denoising auto-encoders, then fine-tuned.",
  overrides: {
    pretraining: pretrainingFor("dae", "softplus"),
    training: { activation: "softplus" }
  },
  references: [{ metric: "testError", value: 0.0117, source: "paper", where: table1 }]
}

export const mnistSigmoidRbm: Preset = {
  name: "mnist-sigmoid-rbm",
  description: "The seed article's DBN-style pipeline: binary RBMs (CD-1, the practical guide's settings) " +
    "pre-train a 3 x 1000 sigmoid net, which is then fine-tuned.",
  overrides: {
    pretraining: { kind: "rbm" },
    training: { activation: "sigmoid" }
  },
  references: [{ metric: "testError", value: 0.0167, source: "seed-article", where: seedMnist }]
}

export const mnistReluRbm: Preset = {
  name: "mnist-relu-rbm",
  description: "RBMs with noisy rectified linear hidden units (Nair & Hinton 2010) pre-train a 3 x 1000 " +
    "rectifier net, which is then fine-tuned (the seed article's ReLU + RBM row).",
  overrides: {
    pretraining: { kind: "rbm", hidden: "nrelu", learningRate: 0.01 },
    training: { activation: "rectifier" }
  },
  references: [{ metric: "testError", value: 0.015, source: "seed-article", where: seedMnist }]
}
