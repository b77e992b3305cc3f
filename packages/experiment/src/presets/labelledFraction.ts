/**
 * Figure 4: NORB with a fraction of the training labels, rectifier and tanh
 * nets with and without pre-training (on all of the training inputs).
 */
import type { Preset, SweepCell } from "../Preset.ts"
import { pretrainingFor } from "./Pretraining.ts"
import { paperRectifier } from "./References.ts"

const fractions = [0.01, 0.05, 0.1, 0.25, 0.5, 1]
const neurons = [["rectifier", paperRectifier], ["tanh", { activation: "tanh" }]] as const

export const labelledFraction: Preset = {
  name: "labelled-fraction",
  description: "Figure 4: test error on NORB against the fraction of labelled training data, rectifier and tanh, " +
    "with and without pre-training.",
  overrides: { dataset: { name: "norb" }, training: { hiddenLayers: [4000, 2000] } },
  references: [],
  sweep: {
    cells: neurons.flatMap(([neuron, training]) =>
      [false, true].flatMap((pretrained) =>
        fractions.map((fraction): SweepCell => ({
          label: `${neuron}${pretrained ? ", pre-trained" : ""}, ${fraction * 100}% labelled`,
          overrides: {
            training,
            dataset: { labelledFraction: fraction },
            ...(pretrained ? { pretraining: pretrainingFor("dae", training.activation) } : {})
          },
          references: []
        }))
      )
    ),
    seeds: [1, 2, 3],
    comparisons: neurons.flatMap(([neuron]) =>
      fractions.map((fraction) =>
        [`${neuron}, ${fraction * 100}% labelled`, `${neuron}, pre-trained, ${fraction * 100}% labelled`] as const
      )
    ),
    curve: {
      title: "fraction of labelled training data",
      x: (config) => config.dataset.labelledFraction,
      series: (config) =>
        `${typeof config.training.activation === "string" ? config.training.activation : config.training.activation.name}` +
        (config.pretraining === undefined ? "" : ", pre-trained"),
      logX: true
    }
  }
}
