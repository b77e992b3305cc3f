/**
 * The in-memory form every dataset takes: examples as rows of a Float32Array,
 * integer labels, and the train / validation / test split.
 */
export interface LabelledSet {
  /** `count` rows of `features` values each, row-major. */
  readonly inputs: Float32Array
  readonly labels: Uint8Array
  readonly count: number
  readonly features: number
}

/** A loaded dataset split for an experiment: what the `Dataset` service holds. */
export interface SplitDataset {
  readonly name: string
  /** Labels run from 0 to `classes - 1`. */
  readonly classes: number
  /** The shape of one example before flattening, e.g. [28, 28]. */
  readonly exampleShape: ReadonlyArray<number>
  readonly train: LabelledSet
  readonly validation: LabelledSet
  readonly test: LabelledSet
  /**
   * Training examples held back from supervised training when only a fraction
   * of the labels is used (the paper's Figure 4); their labels are kept for
   * reference but belong to no supervised split. Absent when every label is used.
   */
  readonly unlabelled?: LabelledSet
}

/** Rows [start, end) of a set, sharing its memory. */
export const slice = (set: LabelledSet, start: number, end: number): LabelledSet => ({
  inputs: set.inputs.subarray(start * set.features, end * set.features),
  labels: set.labels.subarray(start, end),
  count: end - start,
  features: set.features
})

/** The rows `indices` of a set, copied, in that order. */
export const gather = (set: LabelledSet, indices: ArrayLike<number>): LabelledSet => {
  const { features } = set
  const inputs = new Float32Array(indices.length * features)
  const labels = new Uint8Array(indices.length)
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i]!
    inputs.set(set.inputs.subarray(row * features, (row + 1) * features), i * features)
    labels[i] = set.labels[row]!
  }
  return { inputs, labels, count: indices.length, features }
}
