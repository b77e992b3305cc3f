/**
 * The Dataset stage: the run's data, loaded once and split, as a service
 * that later stages read from.
 */
import { Context, Layer } from "effect"
import { FetchHttpClient } from "effect/http"
import type { DatasetError } from "./DatasetError.ts"
import type { SplitDataset } from "./LabelledSet.ts"
import { loadDataset, type LoadOptions } from "./Load.ts"

/**
 * The run's data: the split dataset (train, validation, test and, with a
 * labelled fraction below 1, the unlabelled rest), loaded once when the layer
 * is built.
 */
export class Dataset extends Context.Service<Dataset, SplitDataset>()("@rectifier/datasets/Dataset") {
  /**
   * Any registered dataset by name (`mnist`, `fashion-mnist`, `cifar10`,
   * `norb-jittered`, `norb-small`, `emnist-byclass`), downloading missing
   * files with the fetch-based HTTP client.
   */
  static readonly layer = (options: LoadOptions): Layer.Layer<Dataset, DatasetError> =>
    Layer.effect(Dataset, loadDataset(options)).pipe(Layer.provide(FetchHttpClient.layer))

  /** An already-loaded dataset (for tests and library users with their own data). */
  static readonly fromSplit = (split: SplitDataset): Layer.Layer<Dataset> => Layer.succeed(Dataset, split)
}
