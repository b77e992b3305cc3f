/**
 * The weights of a layered model as plain arrays: what the trainer starts
 * from (fresh or pre-trained), what checkpoints hold, and what greedy
 * pre-training produces for the hidden layers.
 */
import { Schema } from "effect"

/** One dense layer: `weights` is [fanIn, fanOut] row-major. */
export interface DenseWeights {
  readonly fanIn: number
  readonly fanOut: number
  readonly weights: Float32Array
  readonly bias: Float32Array
  /** Learnable activation parameters (PReLU slopes and the like), by name. */
  readonly activationParameters: Readonly<Record<string, Float32Array>>
}

/**
 * A layered model's weights, one `DenseWeights` per layer, input side first,
 * output layer last (a conv net's kernels as [k·k·inChannels, outChannels]).
 */
export interface ModelWeights {
  readonly layers: ReadonlyArray<DenseWeights>
}

/** The JSON manifest that accompanies the raw float32 data of saved weights. */
export const WeightsManifest = Schema.Struct({
  format: Schema.Literal("rectifier-weights/1"),
  layers: Schema.Array(Schema.Struct({
    fanIn: Schema.Int,
    fanOut: Schema.Int,
    /** Offsets and lengths are in float32 elements into the data file. */
    weights: Schema.Struct({ offset: Schema.Int, length: Schema.Int }),
    bias: Schema.Struct({ offset: Schema.Int, length: Schema.Int }),
    activationParameters: Schema.Record(Schema.String, Schema.Struct({ offset: Schema.Int, length: Schema.Int }))
  }))
})
export type WeightsManifest = typeof WeightsManifest.Type
