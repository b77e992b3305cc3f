/**
 * The run record: everything a run did and found, in one self-describing,
 * Schema-validated JSON document (`results.json` in the run folder). A
 * record alone is enough to re-run the experiment and to render its report.
 */
import { BackendChoice, BackendName } from "@rectifier/backend"
import { PretrainConfig } from "@rectifier/rbm"
import { CandidateStop, CandidateVerdict, Divergence, EpochDiagnostics, EpochMetrics, LearningRateCandidate, TrainingConfig } from "@rectifier/train"
import { Effect, Schema } from "effect"

/**
 * Datasets a configuration may name: `emnist` is EMNIST byclass (the stand-in
 * for the paper's NISTP), `norb` the paper's Jittered-Cluttered NORB,
 * `norb-small` the small NORB set (see @rectifier/datasets' registry).
 */
export const DatasetName = Schema.Literals(["mnist", "fashion-mnist", "cifar10", "emnist", "norb", "norb-small"])
export type DatasetName = typeof DatasetName.Type

const withDefault = <S extends Schema.Top>(schema: S, value: S["Type"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))

/**
 * Everything that decides a run's numbers: dataset and how much of it,
 * optional pre-training, the training settings, seed, backend and thread
 * count. The same config on the same machine gives the same numbers, bit for bit.
 */
export const RunConfig = Schema.Struct({
  dataset: Schema.Struct({
    name: DatasetName,
    /**
     * Use the first `trainSize` training examples; absent: all of the paper's
     * split. Checked against the dataset's split when a run is resolved.
     */
    trainSize: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
    /** Use the first `evaluationSize` validation and test examples; absent: all of them. */
    evaluationSize: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
    /** Fraction of the training examples whose labels fine-tuning may use (Figure 4); 1 in records without it. */
    labelledFraction: withDefault(Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(1)), 1),
    /**
     * `symmetric`: pixels scaled to [-1, 1] (`byte * 2/255 - 1`) instead of the dataset's default
     * ([0, 1]; NORB is [-1, 1] already), an input scaling the paper leaves open for MNIST. Absent:
     * the dataset's default, so runs without it keep their identity.
     */
    inputs: Schema.optionalKey(Schema.Literal("symmetric"))
  }),
  /** Greedy layer-wise pre-training of the hidden layers before supervised training; absent for none. */
  pretraining: Schema.optionalKey(PretrainConfig),
  training: TrainingConfig,
  seed: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 0xffff_ffff })),
  backend: BackendChoice,
  threads: Schema.Int.check(Schema.isGreaterThan(0)),
  /**
   * `auto`: the native backend's products skip the zeros of operands sparse enough to gain from it
   * (rounding differs from sgemm's in the last bits). Absent: every product on dense sgemm, so runs
   * without it keep their identity.
   */
  sparseProducts: Schema.optionalKey(Schema.Literal("auto")),
  /**
   * `flush`: the native backend's kernels flush subnormal floats to zero (the CPU's FTZ and DAZ
   * modes), far faster once a fitted net's gradients underflow, different wherever a subnormal
   * occurs. Absent: IEEE subnormals, so runs without it keep their identity.
   */
  subnormals: Schema.optionalKey(Schema.Literal("flush"))
})
/** A decoded {@link RunConfig}. */
export type RunConfig = typeof RunConfig.Type

/**
 * The OpenBLAS kernel set a native run's products ran on (e.g. `SkylakeX`, `Cooperlake`): the core
 * name OpenBLAS puts before `MAX_THREADS=` in its configuration string, which the record keeps as
 * `environment.backend.details.blas`. OpenBLAS picks it for the CPU it finds, and two kernel sets
 * round sgemm differently, so a run reproduces to the bit only on the kernel set it names; the
 * environment variable `OPENBLAS_CORETYPE` pins it. Undefined for other backends.
 */
export const blasKernelOf = (record: Pick<RunRecord, "environment">): string | undefined => {
  const blas = record.environment.backend.details["blas"]
  return typeof blas === "string" ? /(\S+) MAX_THREADS=/.exec(blas)?.[1] : undefined
}

/** A number another source published for the same experiment. */
export const Reference = Schema.Struct({
  metric: Schema.Literals(["testError", "sparsity"]),
  value: Schema.Number,
  source: Schema.Literals(["paper", "seed-article"]),
  /** Where in the source the number is, e.g. "Table 1". */
  where: Schema.String
})
export type Reference = typeof Reference.Type

/** The published number of `metric` from `source` among `references`, if there is one. */
export const findReference = (
  references: ReadonlyArray<Reference>,
  metric: Reference["metric"],
  source: Reference["source"]
): Reference | undefined => references.find((r) => r.metric === metric && r.source === source)

/**
 * One learning rate of the paper's selection protocol, as the trainer
 * reports it; records written before a candidate's stop, verdict and curve
 * were kept may lack them.
 */
export const LearningRateCandidateRecord = Schema.Struct({
  ...LearningRateCandidate.fields,
  stop: Schema.optionalKey(CandidateStop),
  verdict: Schema.optionalKey(CandidateVerdict),
  curve: Schema.optionalKey(LearningRateCandidate.fields.curve)
})

/**
 * The schema of `results.json` (format `rectifier-run/1`): the pipeline and
 * config, the machine and libraries it ran on, timestamps, the per-epoch
 * metrics, the data counts, pre-training curves, the result (best epoch,
 * validation and test error, sparsity per layer) and the published
 * references. Fields added later are optional, so older records still decode.
 */
export const RunRecord = Schema.Struct({
  format: Schema.Literal("rectifier-run/1"),
  pipeline: Schema.String,
  description: Schema.String,
  config: RunConfig,
  environment: Schema.Struct({
    rectifier: Schema.String,
    /** The numerics version the run was computed under (see @rectifier/core); absent in older records. */
    numericsVersion: Schema.optionalKey(Schema.Int),
    /** The git commit the code ran from, and whether tracked files differed from it. */
    commit: Schema.optionalKey(Schema.String),
    dirty: Schema.optionalKey(Schema.Boolean),
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
  /** Per epoch, the trainer's `EpochMetrics` exactly as `TrainingResult.epochs` holds them. */
  epochs: Schema.Array(EpochMetrics),
  /**
   * The examples the run used, counted when its data was loaded: the
   * supervised splits, the training inputs whose labels were held back
   * (pre-training still sees them), and the sizes of the paper's split.
   */
  data: Schema.optionalKey(Schema.Struct({
    /** The dataset as @rectifier/datasets names it, e.g. `norb-jittered`. */
    dataset: Schema.String,
    train: Schema.Int,
    validation: Schema.Int,
    test: Schema.Int,
    unlabelled: Schema.Int,
    paper: Schema.Struct({ train: Schema.Int, validation: Schema.Int, test: Schema.Int })
  })),
  /** Per pre-trained layer, bottom first: its kind and per-epoch measurements. */
  pretraining: Schema.optionalKey(Schema.Struct({
    activation: Schema.String,
    layers: Schema.Array(Schema.Struct({
      kind: Schema.Literals(["rbm", "dae"]),
      curve: Schema.Array(Schema.Record(Schema.String, Schema.Number)),
      /** The layer's learning rate, when it was selected from several. */
      learningRate: Schema.optionalKey(Schema.Number),
      /** Every rate the layer's selection tried: final reconstruction errors, and the kept one. */
      learningRateCandidates: Schema.optionalKey(Schema.Array(Schema.Struct({
        learningRate: Schema.Number,
        reconstructionError: Schema.optionalKey(Schema.Number),
        validationReconstructionError: Schema.optionalKey(Schema.Number),
        kept: Schema.Boolean
      })))
    }))
  })),
  result: Schema.Struct({
    bestEpoch: Schema.Int,
    validationError: Schema.Number,
    testError: Schema.Number,
    sparsity: Schema.Struct({ perLayer: Schema.Array(Schema.Number), mean: Schema.Number }),
    /** The learning rate of the chosen run. */
    learningRate: Schema.optionalKey(Schema.Number),
    /** Every learning rate tried, when the config names several (the paper's selection). */
    learningRateCandidates: Schema.optionalKey(Schema.Array(LearningRateCandidateRecord)),
    /** True when early stopping ended the run before its maximum epoch count. */
    stoppedEarly: Schema.optionalKey(Schema.Boolean),
    /** Set when training diverged; the other results then describe the last good weights. */
    diverged: Schema.optionalKey(Divergence),
    /** Set when the kept weights blew up (error near chance, cost far above a uniform guess's); why, in a sentence. */
    stalled: Schema.optionalKey(Schema.String),
    /** Diagnostics of the initial weights, before any update. */
    initialDiagnostics: Schema.optionalKey(EpochDiagnostics),
    /** Peak resident set size of the process over the whole run, in bytes. */
    peakRssBytes: Schema.optionalKey(Schema.Number)
  }),
  references: Schema.Array(Reference)
})
/** A decoded {@link RunRecord}. */
export type RunRecord = typeof RunRecord.Type

/**
 * `results.json`'s text for a {@link RunRecord}: finite numbers as JSON
 * numbers (so a finite record's text is plain JSON of it), NaN and the
 * infinities as the strings "NaN", "Infinity" and "-Infinity", which JSON
 * cannot hold as numbers (plain JSON would write null, which no longer
 * decodes as a number).
 */
export const RunRecordJson = Schema.fromJsonString(Schema.toCodecJson(RunRecord))

/** Why a finished run's numbers must not be trusted (it diverged, or learned nothing); undefined for a sound run. */
export const runFailure = (record: RunRecord): string | undefined => {
  const { diverged, stalled } = record.result
  if (diverged !== undefined) {
    return `diverged at epoch ${diverged.epoch}, step ${diverged.step}: ${diverged.quantity} became ${diverged.value}`
  }
  return stalled
}
