/**
 * The run record: everything a run did and found, in one self-describing,
 * Schema-validated JSON document (`results.json` in the run folder). A
 * record alone is enough to re-run the experiment and to render its report.
 */
import { BackendChoice, BackendName } from "@rectifier/backend"
import { TrainingConfig } from "@rectifier/train"
import { Effect, Schema } from "effect"

/** Datasets a configuration may name; only some are wired into the pipeline (see the pipeline's Requirements). */
export const DatasetName = Schema.Literals(["mnist", "fashion-mnist", "cifar10", "emnist", "norb"])
export type DatasetName = typeof DatasetName.Type

/** Greedy unsupervised pre-training before fine-tuning: none, denoising auto-encoders (the paper) or RBMs (the seed). */
export const Pretraining = Schema.Literals(["none", "dae", "rbm"])
export type Pretraining = typeof Pretraining.Type

/** The network family: the paper's MLP, or the seed article's convolutional net (depth sweep). */
export const Architecture = Schema.Literals(["mlp", "conv"])
export type Architecture = typeof Architecture.Type

const withDefault = <S extends Schema.Top>(schema: S, value: S["Type"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))

export const RunConfig = Schema.Struct({
  dataset: Schema.Struct({
    name: DatasetName,
    /** Use the first `trainSize` training examples (the paper uses all 50,000). */
    trainSize: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 50_000 })),
    /** Use the first `evaluationSize` validation and test examples (the paper uses all 10,000). */
    evaluationSize: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 })),
    /** Fraction of the training examples whose labels fine-tuning may use (Figure 4); 1 in records without it. */
    labelledFraction: withDefault(Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(1)), 1)
  }),
  training: TrainingConfig,
  /** Pre-training stage; "none" in records without it. */
  pretraining: withDefault(Pretraining, "none"),
  /** Network family; "mlp" in records without it. */
  architecture: withDefault(Architecture, "mlp"),
  seed: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 0xffff_ffff })),
  backend: BackendChoice,
  threads: Schema.Int.check(Schema.isGreaterThan(0))
})
export type RunConfig = typeof RunConfig.Type

/** A number another source published for the same experiment. */
export const Reference = Schema.Struct({
  metric: Schema.Literals(["testError", "sparsity"]),
  value: Schema.Number,
  source: Schema.Literals(["paper", "seed-article"]),
  /** Where in the source the number is, e.g. "Table 1". */
  where: Schema.String
})
export type Reference = typeof Reference.Type

export const EpochRecord = Schema.Struct({
  epoch: Schema.Int,
  trainLoss: Schema.Number,
  validationError: Schema.Number,
  testError: Schema.Number,
  seconds: Schema.Number
})

export const RunRecord = Schema.Struct({
  format: Schema.Literal("rectifier-run/1"),
  pipeline: Schema.String,
  description: Schema.String,
  config: RunConfig,
  environment: Schema.Struct({
    rectifier: Schema.String,
    node: Schema.String,
    platform: Schema.String,
    cpu: Schema.String,
    cpus: Schema.Int,
    libraries: Schema.Record(Schema.String, Schema.String),
    backend: Schema.Struct({
      name: BackendName,
      requested: BackendChoice,
      threads: Schema.Int,
      tfjsCore: Schema.String,
      details: Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Number, Schema.Boolean])),
      skipped: Schema.Array(Schema.Struct({ name: BackendName, reason: Schema.String }))
    })
  }),
  startedAt: Schema.String,
  finishedAt: Schema.String,
  wallSeconds: Schema.Number,
  epochs: Schema.Array(EpochRecord),
  result: Schema.Struct({
    bestEpoch: Schema.Int,
    validationError: Schema.Number,
    testError: Schema.Number,
    sparsity: Schema.Struct({ perLayer: Schema.Array(Schema.Number), mean: Schema.Number })
  }),
  references: Schema.Array(Reference),
  /** What the trainer measured beyond the learning curve, when it did (absent in older records). */
  diagnostics: Schema.optionalKey(Schema.Struct({
    /** Gradient norm per hidden and output layer (input side first), one row per epoch. */
    gradientNorms: Schema.optionalKey(Schema.Array(Schema.Array(Schema.Number))),
    /** Per hidden layer, each unit's probability of a non-zero output on the test set. */
    activationProbabilities: Schema.optionalKey(Schema.Array(Schema.Array(Schema.Number)))
  }))
})
export type RunRecord = typeof RunRecord.Type

/** Decodes a parsed `results.json`, rejecting unknown fields. */
export const decodeRunRecord = Schema.decodeUnknownEffect(RunRecord)
