/**
 * The run record: everything a run did and found, in one self-describing,
 * Schema-validated JSON document (`results.json` in the run folder). A
 * record alone is enough to re-run the experiment and to render its report.
 */
import { BackendChoice, BackendName } from "@rectifier/backend"
import { PretrainConfig } from "@rectifier/rbm"
import { TrainingConfig } from "@rectifier/train"
import { Schema } from "effect"

export const RunConfig = Schema.Struct({
  dataset: Schema.Struct({
    name: Schema.Literal("mnist"),
    /** Use the first `trainSize` training examples (the paper uses all 50,000). */
    trainSize: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 50_000 })),
    /** Use the first `evaluationSize` validation and test examples (the paper uses all 10,000). */
    evaluationSize: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 }))
  }),
  /** Greedy layer-wise pre-training of the hidden layers before supervised training; absent for none. */
  pretraining: Schema.optionalKey(PretrainConfig),
  training: TrainingConfig,
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
  /** Per pre-trained layer, bottom first: its kind and per-epoch measurements. */
  pretraining: Schema.optionalKey(Schema.Struct({
    activation: Schema.String,
    layers: Schema.Array(Schema.Struct({
      kind: Schema.Literals(["rbm", "dae"]),
      curve: Schema.Array(Schema.Record(Schema.String, Schema.Number))
    }))
  })),
  result: Schema.Struct({
    bestEpoch: Schema.Int,
    validationError: Schema.Number,
    testError: Schema.Number,
    sparsity: Schema.Struct({ perLayer: Schema.Array(Schema.Number), mean: Schema.Number })
  }),
  references: Schema.Array(Reference)
})
export type RunRecord = typeof RunRecord.Type

/** Decodes a parsed `results.json`, rejecting unknown fields. */
export const decodeRunRecord = Schema.decodeUnknownEffect(RunRecord)
