/**
 * Loading a dataset by name with an experiment's options: where the cache
 * is (else the environment's, read once per load), mirrors, the split, the
 * normalisation, the NORB image side and the fraction of labelled training
 * examples.
 */
import { Effect } from "effect"
import type { HttpClient } from "effect/http"
import { type DatasetError, InvalidSplit } from "./DatasetError.ts"
import { DEBIAN_FASHION_MNIST } from "./datasets/FashionMnist.ts"
import type { DatasetName, ExpectedSizes } from "./DatasetSpec.ts"
import { resolveDataSource } from "./DataSourceConfig.ts"
import type { CacheOptions } from "./Download.ts"
import type { SplitDataset } from "./LabelledSet.ts"
import { byteScale, type Normalisation, standardizeInPlace } from "./Normalisation.ts"
import { lookupDataset } from "./Registry.ts"
import { applySplit, type SplitOptions, withLabelledFraction } from "./Split.ts"

/**
 * What `loadDataset` and `Dataset.layer` load: the dataset's name, the cache
 * options, and the experiment's split, normalisation and labelled fraction.
 * Every field but `name` may be left out.
 */
export interface LoadOptions extends CacheOptions {
  readonly name: DatasetName
  /** Split sizes replacing the paper's. */
  readonly split?: SplitOptions | undefined
  /** Defaults to `symmetric` for NORB (as in the paper), `unit` otherwise. */
  readonly normalisation?: Normalisation | undefined
  /** Keep the labels of this fraction of the training set (0, 1], default 1; the rest becomes `unlabelled`. */
  readonly labelledFraction?: number | undefined
  /** Seed of the labelled-fraction draw (default 0). */
  readonly seed?: number | undefined
  /** NORB: side of the reduced images, 1..96 (default 32, as in the paper). */
  readonly side?: number | undefined
  /** Fashion-MNIST: where Debian's package puts its files (default `DEBIAN_FASHION_MNIST`). */
  readonly debianDirectory?: string | undefined
  /** Sizes of files that differ from the official ones (subsets, tests); left out, the official sizes. */
  readonly expected?: ExpectedSizes | undefined
}

/**
 * Loads the named dataset's official sets (from the cache, downloading what
 * is missing, or from its embedded or installed copy), normalises them, and
 * splits them into train / validation / test, with the unlabelled rest when
 * `labelledFraction` is below 1. Fails with `UnknownDataset`, `InvalidSplit`
 * (an image side outside 1..96, split sizes or a fraction that do not fit),
 * `DataSourceConfigInvalid`, or the error of the file that could not be had.
 */
export const loadDataset = (options: LoadOptions): Effect.Effect<SplitDataset, DatasetError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const spec = yield* lookupDataset(options.name)
    const side = options.side ?? 32
    if (!Number.isInteger(side) || side < 1 || side > 96) {
      return yield* new InvalidSplit({ dataset: spec.name, problem: `image side ${side} is not a whole number in 1..96` })
    }
    const normalisation = options.normalisation ?? spec.normalisation
    // The environment is read once here, not once per file.
    const source = yield* resolveDataSource(options)
    const official = yield* spec.load({
      cache: { ...options, ...source },
      scale: byteScale(normalisation),
      side,
      debianDirectory: options.debianDirectory ?? DEBIAN_FASHION_MNIST,
      expected: options.expected ?? {}
    })
    const split = applySplit(
      { name: spec.name, classes: spec.classes, exampleShape: spec.exampleShape(side), ...official },
      spec.split,
      options.split
    )
    if (split instanceof InvalidSplit) return yield* split
    const labelled = withLabelledFraction(split, options.labelledFraction ?? 1, options.seed ?? 0)
    if (labelled instanceof InvalidSplit) return yield* labelled
    return normalisation === "standardize" ? standardizeInPlace(labelled) : labelled
  })
