/**
 * The configuration every preset starts from: the paper's MNIST setup
 * (3 x 1000 hidden units, minibatch 10, uniform Glorot initialisation,
 * all of the paper's split: no `trainSize` or `evaluationSize`) with a plain rectifier.
 */
import type { RunConfig } from "@rectifier/record"

/** The base configuration: MNIST, 3 x 1000 rectifier units, 10 epochs of SGD at 0.01, seed 1, the `auto` backend on 1 thread. */
export const defaults: RunConfig = {
  dataset: { name: "mnist", labelledFraction: 1 },
  training: {
    hiddenLayers: [1000, 1000, 1000],
    activation: "rectifier",
    initializer: "glorot-uniform",
    learningRate: 0.01,
    batchSize: 10,
    epochs: 10,
    l1Penalty: 0,
    evaluationBatchSize: 1000
  },
  seed: 1,
  backend: "auto",
  threads: 1
}
