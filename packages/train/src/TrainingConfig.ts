/**
 * What a supervised training run is: architecture, initialisation and the
 * SGD protocol. Every field is validated; pipelines resolve presets and flags
 * into one of these. Fields added after the first release are optional, so
 * configurations and run records written before them stay valid.
 */
import { ActivationSpec, InitializerName } from "@rectifier/activations"
import { PositiveInt } from "@rectifier/core"
import { Schema } from "effect"
import { CandidatePruning } from "./Selection.ts"

const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
const LearningRate = Schema.Finite.check(Schema.isGreaterThan(0))

/** The network family: a plain MLP, or convolution + max-pooling stages before the dense layers. */
export const ModelSpec = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("mlp") }),
  Schema.Struct({
    kind: Schema.Literal("conv"),
    /** Output channels of each convolution stage (each stage: conv, activation, max-pool). */
    channels: Schema.Array(PositiveInt).check(Schema.isMinLength(1)),
    /** Square kernel side, "same" padding. */
    kernelSize: PositiveInt,
    /** Square max-pooling window and stride after each convolution. */
    pool: PositiveInt
  })
])
export type ModelSpec = typeof ModelSpec.Type

/** The paper's learning-rate grid (Section 4.1). */
export const PAPER_LEARNING_RATES: ReadonlyArray<number> = [0.1, 0.01, 0.001, 0.0001]

/**
 * A supervised training run as a Schema: architecture, activations,
 * initialiser and the SGD protocol. Each optional field's comment says what
 * its absence means.
 */
export const TrainingConfig = Schema.Struct({
  /** Widths of the hidden layers, input side first (after the convolution stages for a conv net). */
  hiddenLayers: Schema.Array(PositiveInt),
  /** A name, or `{ name, ...parameters }` for parameterised activations. */
  activation: ActivationSpec,
  /** One activation per hidden layer (convolution stages first); overrides `activation`. */
  activations: Schema.optionalKey(Schema.Array(ActivationSpec)),
  /** The network family; an MLP when absent. */
  model: Schema.optionalKey(ModelSpec),
  initializer: InitializerName,
  /** Constant SGD learning rate (used when `learningRates` is absent). */
  learningRate: LearningRate,
  /** Train once per rate and keep the run with the lowest validation error (the paper's protocol). */
  learningRates: Schema.optionalKey(Schema.Array(LearningRate).check(Schema.isMinLength(1))),
  /** Stop a candidate rate early when an earlier one clearly beats it (see Selection.ts); never when absent. */
  candidatePruning: Schema.optionalKey(CandidatePruning),
  /** Classical momentum coefficient in [0, 1); 0 (plain SGD) when absent. */
  momentum: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThan(1))),
  /** L2 weight decay on weight matrices and kernels (not biases); 0 when absent. */
  weightDecay: Schema.optionalKey(NonNegative),
  batchSize: PositiveInt,
  /** The maximum number of epochs. */
  epochs: PositiveInt,
  /** Stop after this many epochs without a lower validation error; never when absent. */
  patience: Schema.optionalKey(PositiveInt),
  /** Weight of the L1 penalty on hidden activations (the paper uses 0.001). */
  l1Penalty: NonNegative,
  /** Examples per forward pass when evaluating (does not change results). */
  evaluationBatchSize: PositiveInt,
  /** Validation examples the per-epoch diagnostics look at; 1000 when absent, 0 turns them off. */
  diagnosticExamples: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)))
})
export type TrainingConfig = typeof TrainingConfig.Type

/** The learning rates a config trains with, in order. */
export const learningRatesOf = (config: TrainingConfig): ReadonlyArray<number> =>
  config.learningRates ?? [config.learningRate]
