/** Shorthands for the published numbers presets cite: the paper (ground truth) and the seed article. */
import type { Reference } from "@rectifier/record"

export const paperError = (value: number, where: string): Reference => ({ metric: "testError", value, source: "paper", where })
export const seedError = (value: number, where: string): Reference => ({
  metric: "testError",
  value,
  source: "seed-article",
  where
})
export const paperSparsity = (value: number, where: string): Reference => ({
  metric: "sparsity",
  value,
  source: "paper",
  where
})
export const seedSparsity = (value: number, where: string): Reference => ({
  metric: "sparsity",
  value,
  source: "seed-article",
  where
})

/** The paper's rectifier: half of each layer's units negated, L1 penalty 0.001 on the activations. */
export const paperRectifier = { activation: "rectifier-alternating", l1Penalty: 0.001 } as const
