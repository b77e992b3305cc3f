/**
 * The pre-training stack a preset row asks for, matched to the net it
 * initialises: denoising auto-encoders with the net's own activation (the
 * paper), or RBMs (the seed article) with binary hidden units for sigmoid and
 * tanh nets and noisy rectified units for rectifier nets.
 */
import type { ActivationSpec } from "@rectifier/activations"

export type PretrainingKind = "dae" | "rbm"

export const pretrainingFor = (kind: PretrainingKind, activation: ActivationSpec): Readonly<Record<string, unknown>> => {
  const name = typeof activation === "string" ? activation : activation.name
  if (kind === "dae") return { kind: "dae", activation: name }
  return name === "sigmoid" || name === "tanh" ? { kind: "rbm" } : { kind: "rbm", hidden: "nrelu", learningRate: 0.01 }
}
