/**
 * What a supervised training run is: architecture, initialisation and the
 * SGD protocol. Every field is validated; pipelines resolve presets and flags
 * into one of these.
 */
import { ActivationSpec, InitializerName } from "@rectifier/activations"
import { Schema } from "effect"

const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))

export const TrainingConfig = Schema.Struct({
  /** Widths of the hidden layers, input side first. */
  hiddenLayers: Schema.Array(PositiveInt),
  /** A name, or `{ name, ...parameters }` for parameterised activations. */
  activation: ActivationSpec,
  initializer: InitializerName,
  /** Constant SGD learning rate. */
  learningRate: Schema.Finite.check(Schema.isGreaterThan(0)),
  batchSize: PositiveInt,
  epochs: PositiveInt,
  /** Weight of the L1 penalty on hidden activations (the paper uses 0.001). */
  l1Penalty: NonNegative,
  /** Examples per forward pass when evaluating (does not change results). */
  evaluationBatchSize: PositiveInt
})
export type TrainingConfig = typeof TrainingConfig.Type
