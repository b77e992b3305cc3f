/**
 * Minibatches as an Effect Stream, in a deterministic order: an epoch's
 * order is a permutation drawn from a `RandomStream` (`@rectifier/core`), so
 * a run's seed fixes every epoch's shuffle, and `epochOrder` gives the order
 * of any epoch directly without replaying the ones before it.
 */
import { RandomStream } from "@rectifier/core"
import { Stream } from "effect"
import type { LabelledSet } from "./LabelledSet.ts"

export interface Minibatch {
  /** `count` rows of `features` values, copied from the set. */
  readonly inputs: Float32Array
  readonly labels: Uint8Array
  readonly count: number
  readonly features: number
  /** The rows of the set this batch holds. */
  readonly indices: Int32Array
}

/** The order of epoch `epoch` for a run seeded with `seed`: a permutation of 0..count-1. */
export const epochOrder = (seed: number, epoch: number, count: number): Int32Array =>
  RandomStream.derive(seed, `datasets/epoch/${epoch}`).permutation(count)

export interface MinibatchOptions {
  readonly batchSize: number
  /** Row order; the natural order when absent. */
  readonly order?: Int32Array | undefined
  /** Drop a last batch smaller than `batchSize`. */
  readonly dropRemainder?: boolean | undefined
}

/** The set's rows in `order`, `batchSize` at a time. */
export const minibatches = (set: LabelledSet, options: MinibatchOptions): Stream.Stream<Minibatch> => {
  const size = Math.max(1, Math.floor(options.batchSize))
  const order = options.order ?? Int32Array.from({ length: set.count }, (_, i) => i)
  const batches = options.dropRemainder === true ? Math.floor(order.length / size) : Math.ceil(order.length / size)
  return Stream.range(0, batches - 1).pipe(
    Stream.map((b) => {
      const indices = order.subarray(b * size, Math.min(order.length, (b + 1) * size))
      const inputs = new Float32Array(indices.length * set.features)
      const labels = new Uint8Array(indices.length)
      for (let i = 0; i < indices.length; i++) {
        const row = indices[i]!
        inputs.set(set.inputs.subarray(row * set.features, (row + 1) * set.features), i * set.features)
        labels[i] = set.labels[row]!
      }
      return { inputs, labels, count: indices.length, features: set.features, indices }
    })
  )
}

/** One epoch of shuffled minibatches, its order drawn from `random` (which advances). */
export const shuffledMinibatches = (
  set: LabelledSet,
  random: RandomStream,
  options: Omit<MinibatchOptions, "order">
): Stream.Stream<Minibatch> => minibatches(set, { ...options, order: random.permutation(set.count) })
