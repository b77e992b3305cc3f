/**
 * The Dataset stage: the run's data, loaded once and split, as a service
 * that later stages read from.
 */
import { Context, Layer } from "effect"
import type { DatasetError } from "./DatasetError.ts"
import type { SplitDataset } from "./LabelledSet.ts"
import { loadMnist, type MnistOptions } from "./Mnist.ts"

export class Dataset extends Context.Service<Dataset, SplitDataset>()("@rectifier/datasets/Dataset") {
  /** The embedded MNIST with the paper's split. */
  static readonly mnist = (options: MnistOptions = {}): Layer.Layer<Dataset, DatasetError> =>
    Layer.effect(Dataset, loadMnist(options))

  /** An already-loaded dataset (for tests and library users with their own data). */
  static readonly fromSplit = (split: SplitDataset): Layer.Layer<Dataset> => Layer.succeed(Dataset, split)
}
