/**
 * What a pre-training run is asked to do, as a Schema: a stack of RBMs or of
 * denoising auto-encoders, with every hyperparameter defaulted to the
 * practical guide's (RBMs) or the paper's (DAEs) value, so a preset only
 * names what it changes.
 */
import { ActivationName } from "@rectifier/activations"
import { PositiveInt } from "@rectifier/core"
import { Effect, Schema } from "effect"
import { Reconstruction } from "./ContrastiveDivergence.ts"
import { HiddenUnits, VisibleUnits } from "./Rbm.ts"

const Positive = Schema.Finite.check(Schema.isGreaterThan(0))
const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
const Fraction = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
const OpenFraction = Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThan(1))

const defaulted = <S extends Schema.Constraint>(schema: S, value: S["Encoded"]) =>
  Schema.withDecodingDefault<S>(Effect.succeed(value))(schema)

/** The guide's sparsity target (section 11): a running mean q of hidden activity pulled toward `target`. */
export const SparsityTarget = Schema.Struct({
  target: OpenFraction,
  /** The penalty's weight: `cost * (q - target)` is subtracted from the hidden units' input gradient. */
  cost: defaulted(NonNegative, 0.01),
  /** Decay of the running mean q (0.9 to 0.99 in the guide). */
  decay: defaulted(Fraction, 0.9)
})
export type SparsityTarget = typeof SparsityTarget.Type

/**
 * A stack of RBMs trained by CD-k or persistent CD. Only `hiddenSizes` is
 * required; the rest defaults to the practical guide's values: 10 epochs per
 * layer, learning rate 0.1, batches of 100, CD-1 with probabilities, initial
 * weights N(0, 0.01^2), momentum 0.5 for 5 epochs then 0.9, weight cost 2e-4.
 */
export const RbmPretrainConfig = Schema.Struct({
  kind: Schema.Literal("rbm"),
  /** Hidden layer sizes, bottom first. */
  hiddenSizes: Schema.NonEmptyArray(PositiveInt),
  /** Epochs per layer. */
  epochs: defaulted(PositiveInt, 10),
  /** Hinton & Salakhutdinov's MNIST value; use 10-100x less for Gaussian or rectified units. */
  learningRate: defaulted(Positive, 0.1),
  batchSize: defaulted(PositiveInt, 100),
  /** Units of the bottom layer's visible side; upper layers see hidden probabilities (binary) or rectified values (Gaussian). */
  visible: defaulted(VisibleUnits, "bernoulli"),
  hidden: defaulted(HiddenUnits, "bernoulli"),
  /** CD-k from the data, or persistent CD (one chain per batch row). */
  method: defaulted(Schema.Literals(["cd", "pcd"]), "cd"),
  k: defaulted(PositiveInt, 1),
  reconstruction: defaulted(Reconstruction, "probabilities"),
  initialStd: defaulted(Positive, 0.01),
  initialMomentum: defaulted(Fraction, 0.5),
  finalMomentum: defaulted(Fraction, 0.9),
  /** Epochs (from 0) that use the initial momentum. */
  momentumSwitchEpoch: defaulted(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)), 5),
  /** L2 weight cost on the weights, not the biases. */
  weightCost: defaulted(NonNegative, 2e-4),
  sparsity: Schema.optional(SparsityTarget),
  /** Examples of training and validation data whose mean free energy is compared each epoch. */
  monitorSize: defaulted(PositiveInt, 1000),
  /** Exact log-likelihood is computed each epoch for layers with at most this many binary hidden units. */
  exactLikelihoodMaxHidden: defaulted(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 20 })), 16)
})
export type RbmPretrainConfig = typeof RbmPretrainConfig.Type

/** How the decoder reconstructs the clean input; `auto` follows the paper for the encoder activation. */
export const DaeReconstruction = Schema.Literals(["auto", "softplus-quadratic", "sigmoid-cross-entropy"])
export type DaeReconstruction = typeof DaeReconstruction.Type

/**
 * What the auto-encoders of a sign-alternating stack (`rectifier-alternating`,
 * whose odd units are negated, so <= 0) do with those signs.
 * - `ignored`: every layer decodes its signed code, and an upper layer's
 *   output stays >= 0, so the negated half of its input is a floor under its
 *   reconstruction error.
 * - `matched`: as `ignored`, but an upper layer's softplus or sigmoid output
 *   is multiplied by the fixed signs of the code below, so the negated half
 *   can be reconstructed (for the quadratic cost the same as reconstructing
 *   the code's magnitudes).
 * - `magnitudes`: as `matched`, and each layer's decoder reads its own code's
 *   magnitudes, max(0, z), rather than the negated code. With tied weights a
 *   negated unit's decoding subtracts the very pattern the unit detects, so
 *   under `matched` the stack learns to silence the negated half (the
 *   campaign's first layer: 367 of its 500 negated units never fired on 2000
 *   test images, against none of the others). The codes passed up keep their
 *   signs, so the fine-tuned net is the stack, weight for weight.
 */
export const DaeCodeSigns = Schema.Literals(["matched", "ignored", "magnitudes"])
export type DaeCodeSigns = typeof DaeCodeSigns.Type

/**
 * A stack of denoising auto-encoders. Only `hiddenSizes` is required; the
 * rest defaults to the paper: rectifier encoders, masking noise 0.25, an L1
 * penalty of 0.001, tied weights, batches of 10, learning rate 0.01, 10
 * epochs per layer, and the decoder `auto` picks for the activation.
 */
export const DaePretrainConfig = Schema.Struct({
  kind: Schema.Literal("dae"),
  hiddenSizes: Schema.NonEmptyArray(PositiveInt),
  epochs: defaulted(PositiveInt, 10),
  /** The paper picks it from {0.1, 0.01, 0.001, 0.0001} by reconstruction error. */
  learningRate: defaulted(Positive, 0.01),
  /**
   * The paper's selection: each layer is trained once per rate and keeps the
   * one whose clean reconstruction error on the monitored validation examples
   * (training examples without validation data) is lowest after the last epoch.
   */
  learningRates: Schema.optionalKey(Schema.Array(Positive).check(Schema.isMinLength(1))),
  /** A fixed rate per layer, bottom first (a selection's outcome, reused); overrides the two above. */
  layerLearningRates: Schema.optionalKey(Schema.Array(Positive).check(Schema.isMinLength(1))),
  batchSize: defaulted(PositiveInt, 10),
  activation: defaulted(ActivationName, "rectifier"),
  /** Probability of setting each input to 0. */
  maskingNoise: defaulted(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThan(1)), 0.25),
  /**
   * L1 penalty on the hidden activations (per example, summed over units);
   * the default is the paper's, for rectifier stacks (its tanh and softplus
   * stacks have none).
   */
  l1Penalty: defaulted(NonNegative, 0.001),
  tiedWeights: defaulted(Schema.Boolean, true),
  reconstruction: defaulted(DaeReconstruction, "auto"),
  /**
   * Absent: `ignored`, as records written before the field was added
   * (2026-12-02) ran. A run's configuration resolved from a preset or the
   * command line gets `magnitudes` for `rectifier-alternating` encoders
   * (`matched` from 2026-12-02 to the seventh session, 2026-12-02).
   */
  codeSigns: Schema.optionalKey(DaeCodeSigns),
  /** Examples of training and validation data whose clean reconstruction error is measured each epoch. */
  monitorSize: defaulted(PositiveInt, 1000)
})
export type DaePretrainConfig = typeof DaePretrainConfig.Type

/**
 * A pre-training run, either kind, told apart by `kind` (`"rbm"` or
 * `"dae"`). The type is the decoded form, every default filled in; what a
 * caller writes is `PretrainConfigInput` (`decodePretrainConfig` turns one
 * into the other).
 */
export const PretrainConfig = Schema.Union([RbmPretrainConfig, DaePretrainConfig])
export type PretrainConfig = typeof PretrainConfig.Type
/** What a caller writes: every defaulted field may be left out. */
export type PretrainConfigInput = typeof PretrainConfig.Encoded
