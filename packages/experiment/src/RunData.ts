/**
 * The run's data: the configuration's dataset name mapped onto the
 * @rectifier/datasets registry, its sizes checked against the paper's split
 * before anything runs, and the Dataset stage that loads it. MNIST comes
 * from the embedded copy; the other datasets from the download cache
 * (fetching missing files unless offline), with the registry's normalisation
 * (NORB in [-1, 1], the others in [0, 1]). With `labelledFraction` below 1 a
 * seeded draw keeps the labels of that fraction of the training examples;
 * the rest become `unlabelled`. Pre-training reads every training input, in
 * the split's order, from the TrainingInputs service.
 */
import {
  type CacheOptions,
  Dataset,
  type DatasetError,
  type DatasetName as RegistryName,
  type ExpectedSizes,
  InvalidSplit,
  type LabelledSet,
  loadDataset,
  loadMnist,
  registry,
  slice,
  type SplitDataset,
  type SplitOptions,
  type SplitPlan,
  withLabelledFraction
} from "@rectifier/datasets"
import type { DatasetName, RunConfig } from "@rectifier/record"
import { Context, Effect, Layer } from "effect"
import { FetchHttpClient } from "effect/http"
import { DatasetSizeInvalid } from "./PipelineError.ts"

/** Where the files of the datasets other than MNIST come from. */
export interface DataSource extends Pick<CacheOptions, "dataDir" | "mirrors" | "offline"> {
  /** For files that differ from the official ones (subsets, tests): their sizes. */
  readonly expected?: ExpectedSizes | undefined
  /** For such files: the split cut from them instead of the paper's. */
  readonly split?: SplitOptions | undefined
}

/** The registry's name of each dataset a configuration may name. */
export const registryNames: Readonly<Record<DatasetName, RegistryName>> = {
  mnist: "mnist",
  "fashion-mnist": "fashion-mnist",
  cifar10: "cifar10",
  emnist: "emnist-byclass",
  norb: "norb-jittered",
  "norb-small": "norb-small"
}

/** The paper's split of a dataset (EMNIST, Fashion-MNIST: the registry's). */
export const paperSplit = (name: DatasetName): SplitPlan => registry[registryNames[name]].split

/** The first size in `config.dataset` that the dataset's split cannot supply, as a typed error. */
export const checkDatasetSizes = (pipeline: string, config: RunConfig): DatasetSizeInvalid | undefined => {
  const { evaluationSize, name, trainSize } = config.dataset
  const split = paperSplit(name)
  if (trainSize !== undefined && trainSize > split.train) {
    return new DatasetSizeInvalid({ pipeline, dataset: name, field: "trainSize", value: trainSize, limit: split.train })
  }
  const evaluation = Math.min(split.validation, split.test)
  if (evaluationSize !== undefined && evaluationSize > evaluation) {
    return new DatasetSizeInvalid({ pipeline, dataset: name, field: "evaluationSize", value: evaluationSize, limit: evaluation })
  }
  return undefined
}

/** The first `count` rows of `set`, or an error naming the field when it holds fewer. */
const first = (dataset: string, field: string, set: LabelledSet, count: number | undefined) =>
  count === undefined
    ? Effect.succeed(set)
    : count <= set.count
    ? Effect.succeed(slice(set, 0, count))
    : Effect.fail(new InvalidSplit({ dataset, problem: `dataset.${field} ${count} is more than the ${set.count} examples loaded` }))

/** Every training input of the run, labelled or not, in the split's order: what pre-training learns from. */
export class TrainingInputs extends Context.Service<TrainingInputs, LabelledSet>()("@rectifier/experiment/TrainingInputs") {}

/**
 * Loads the configuration's data with its sizes applied: `all` is the
 * split, `labelled` the same with only the labelled fraction (drawn from the
 * run's seed) left in `train` and the rest in `unlabelled`.
 */
export const loadRunData = (
  config: RunConfig,
  source: DataSource = {}
): Effect.Effect<{ readonly all: SplitDataset; readonly labelled: SplitDataset }, DatasetError> =>
  Effect.gen(function*() {
    const { evaluationSize, inputs, labelledFraction, name, trainSize } = config.dataset
    const normalisation = inputs === undefined ? {} : { normalisation: inputs }
    const all = name === "mnist"
      ? yield* loadMnist({
        ...(trainSize === undefined ? {} : { trainSize }),
        ...(evaluationSize === undefined ? {} : { evaluationSize }),
        ...normalisation
      })
      : yield* Effect.gen(function*() {
        const loaded = yield* loadDataset({ ...source, name: registryNames[name], ...normalisation })
        return {
          ...loaded,
          train: yield* first(loaded.name, "trainSize", loaded.train, trainSize),
          validation: yield* first(loaded.name, "evaluationSize", loaded.validation, evaluationSize),
          test: yield* first(loaded.name, "evaluationSize", loaded.test, evaluationSize)
        }
      }).pipe(Effect.provide(FetchHttpClient.layer))
    const labelled = withLabelledFraction(all, labelledFraction, config.seed)
    return labelled instanceof InvalidSplit ? yield* labelled : { all, labelled }
  })

/** The Dataset stage of a run (supervised training sees the labelled part) and its TrainingInputs. */
export const runDataLayer = (config: RunConfig, source: DataSource = {}): Layer.Layer<Dataset | TrainingInputs, DatasetError> =>
  Layer.effectContext(
    loadRunData(config, source).pipe(
      Effect.map(({ all, labelled }) => Context.make(Dataset, labelled).pipe(Context.add(TrainingInputs, all.train)))
    )
  )

/** How many examples of each split the run used, beside the paper's split (the record's `data`). */
export const dataCounts = (config: RunConfig, data: SplitDataset) => {
  const paper = paperSplit(config.dataset.name)
  return {
    dataset: registryNames[config.dataset.name],
    train: data.train.count,
    validation: data.validation.count,
    test: data.test.count,
    unlabelled: data.unlabelled?.count ?? 0,
    paper: { train: paper.train, validation: paper.validation, test: paper.test }
  }
}
