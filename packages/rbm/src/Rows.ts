/**
 * Unlabelled examples as rows of a Float32Array: what pre-training consumes
 * and produces at every level of the stack. A `LabelledSet` from
 * @rectifier/datasets is one.
 */
export interface Rows {
  /** `count` rows of `features` values each, row-major. */
  readonly inputs: Float32Array
  readonly count: number
  readonly features: number
}

/** Rows [start, end), sharing memory. */
export const sliceRows = (rows: Rows, start: number, end: number): Rows => ({
  inputs: rows.inputs.subarray(start * rows.features, end * rows.features),
  count: end - start,
  features: rows.features
})

/** Copies the rows named by `order[start..end)` into one contiguous batch. */
export const gatherRows = (rows: Rows, order: Int32Array, start: number, end: number): Float32Array => {
  const batch = new Float32Array((end - start) * rows.features)
  for (let r = start; r < end; r++) {
    const source = order[r]! * rows.features
    batch.set(rows.inputs.subarray(source, source + rows.features), (r - start) * rows.features)
  }
  return batch
}
