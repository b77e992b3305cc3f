/**
 * The seed article's depth comparison: sigmoid against rectifier MLPs with
 * 2, 3 and 5 hidden layers of 1000 units on MNIST, and a convolutional net.
 */
import type { RunConfig } from "@rectifier/record"
import type { Preset, SweepCell } from "../Preset.ts"
import { paperRectifier } from "./References.ts"

const neurons = [["sigmoid", { activation: "sigmoid" }], ["rectifier", paperRectifier]] as const
const activationName = (config: RunConfig) =>
  typeof config.training.activation === "string" ? config.training.activation : config.training.activation.name

export const depthMlp: Preset = {
  name: "depth-mlp",
  description: "Depth sweep on MNIST: sigmoid vs rectifier MLPs with 2, 3 and 5 hidden layers of 1000 units " +
    "(the seed says 5-layer sigmoid nets are hard to train).",
  overrides: {},
  references: [],
  sweep: {
    cells: [2, 3, 5].flatMap((depth) =>
      neurons.map(([neuron, training]): SweepCell => ({
        label: `${neuron}, ${depth} layers`,
        overrides: { training: { ...training, hiddenLayers: Array.from({ length: depth }, () => 1000) } },
        references: []
      }))
    ),
    seeds: [1, 2, 3],
    comparisons: [2, 3, 5].map((depth) => [`sigmoid, ${depth} layers`, `rectifier, ${depth} layers`] as const),
    curve: { title: "hidden layers", x: (config) => config.training.hiddenLayers.length, series: activationName }
  }
}

export const depthConv: Preset = {
  name: "depth-conv",
  description: "The depth comparison's convolutional net on MNIST, sigmoid vs rectifier.",
  overrides: {},
  references: [],
  sweep: {
    cells: neurons.map(([neuron, training]) => ({
      label: `${neuron}, conv`,
      overrides: { training: { ...training, model: { kind: "conv", channels: [16, 32], kernelSize: 5, pool: 2 } } },
      references: []
    })),
    seeds: [1, 2, 3]
  }
}
