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

export interface SplitDataset {
  readonly name: string
  readonly classes: number
  /** The shape of one example before flattening, e.g. [28, 28]. */
  readonly exampleShape: ReadonlyArray<number>
  readonly train: LabelledSet
  readonly validation: LabelledSet
  readonly test: LabelledSet
}

/** Rows [start, end) of a set, sharing its memory. */
export const slice = (set: LabelledSet, start: number, end: number): LabelledSet => ({
  inputs: set.inputs.subarray(start * set.features, end * set.features),
  labels: set.labels.subarray(start, end),
  count: end - start,
  features: set.features
})
