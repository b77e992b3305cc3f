/**
 * The pre-training stack a preset row asks for, matched to the net it
 * initialises: denoising auto-encoders with the net's own activation (the
 * paper), or RBMs (the seed article) with binary hidden units for sigmoid and
 * tanh nets and noisy rectified units for rectifier nets. The paper's L1
 * penalty on the codes is a rectifier detail: other encoders train without it.
 */
import type { ActivationSpec } from "@rectifier/activations"

export type PretrainingKind = "dae" | "rbm"

/** Encoders that carry the paper's L1 penalty of 0.001 on their codes (the DAE's default). */
const rectifiers: ReadonlySet<string> = new Set(["rectifier", "rectifier-alternating"])

export const pretrainingFor = (kind: PretrainingKind, activation: ActivationSpec): Readonly<Record<string, unknown>> => {
  const name = typeof activation === "string" ? activation : activation.name
  if (kind === "dae") return rectifiers.has(name) ? { kind: "dae", activation: name } : { kind: "dae", activation: name, l1Penalty: 0 }
  return name === "sigmoid" || name === "tanh" ? { kind: "rbm" } : { kind: "rbm", hidden: "nrelu", learningRate: 0.01 }
}
