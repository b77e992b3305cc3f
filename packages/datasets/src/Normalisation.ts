/**
 * How pixel bytes become inputs: a linear map applied while parsing
 * (`unit` [0, 1], `symmetric` [-1, 1] as the paper uses for NORB, `raw`
 * 0..255), or `standardize`: unit-scaled, then each feature shifted and
 * scaled to zero mean and unit variance using training-set statistics only.
 */
import type { LabelledSet, SplitDataset } from "./LabelledSet.ts"

/**
 * The normalisations `LoadOptions.normalisation` can name: `unit` [0, 1],
 * `symmetric` [-1, 1] (the paper's for NORB), `standardize` (zero mean and
 * unit variance per feature, by the training set's statistics), `raw` 0..255.
 */
export const normalisations = ["unit", "symmetric", "standardize", "raw"] as const
/** How pixel bytes become inputs: one of `normalisations`. */
export type Normalisation = typeof normalisations[number]

/** The linear byte map `value = byte * scale + offset`. */
export interface ByteScale {
  readonly scale: number
  readonly offset: number
}

/**
 * The byte map a normalisation applies while parsing: `byte / 255` for
 * `unit` and `standardize` (which standardizes after the split),
 * `byte * 2/255 - 1` for `symmetric`, the byte itself for `raw`.
 */
export const byteScale = (normalisation: Normalisation): ByteScale => {
  switch (normalisation) {
    case "symmetric":
      return { scale: 2 / 255, offset: -1 }
    case "raw":
      return { scale: 1, offset: 0 }
    case "unit":
    case "standardize":
      return { scale: 1 / 255, offset: 0 }
  }
}

/** The 256 values a byte maps to. */
export const byteTable = ({ offset, scale }: ByteScale): Float32Array => {
  const table = new Float32Array(256)
  for (let b = 0; b < 256; b++) table[b] = b * scale + offset
  return table
}

/** Per-feature mean and standard deviation of a set (population variance). */
export const featureStatistics = (set: LabelledSet): { readonly mean: Float64Array; readonly std: Float64Array } => {
  const { count, features, inputs } = set
  const mean = new Float64Array(features)
  const square = new Float64Array(features)
  for (let i = 0; i < count; i++) {
    const row = i * features
    for (let f = 0; f < features; f++) {
      const v = inputs[row + f]!
      mean[f] += v
      square[f] += v * v
    }
  }
  const std = new Float64Array(features)
  for (let f = 0; f < features; f++) {
    mean[f] /= Math.max(1, count)
    std[f] = Math.sqrt(Math.max(0, square[f]! / Math.max(1, count) - mean[f]! * mean[f]!))
  }
  return { mean, std }
}

const shift = (set: LabelledSet, mean: Float64Array, std: Float64Array): void => {
  for (let i = 0; i < set.count; i++) {
    const row = i * set.features
    for (let f = 0; f < set.features; f++) {
      // A constant feature (e.g. an always-black border pixel) stays 0 rather than dividing by 0.
      const s = std[f]! > 1e-8 ? std[f]! : 1
      set.inputs[row + f] = (set.inputs[row + f]! - mean[f]!) / s
    }
  }
}

/**
 * Standardizes every set in place with the training set's statistics. The
 * sets may be views of one buffer (the splits are) as long as their rows are
 * disjoint, so that no row is shifted twice.
 */
export const standardizeInPlace = (split: SplitDataset): SplitDataset => {
  const { mean, std } = featureStatistics(split.train)
  const sets = [split.train, split.validation, split.test, ...(split.unlabelled ? [split.unlabelled] : [])]
  for (const set of sets) shift(set, mean, std)
  return split
}
