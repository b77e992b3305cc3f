/**
 * What the registry knows of a dataset: its name, classes, example shape,
 * normalisation, default split, the files the cache holds for it, and how
 * it loads its official training and test sets. Each dataset's spec is in
 * its own module under `datasets/`; `Registry.ts` collects them.
 */
import type { Effect } from "effect"
import type { HttpClient } from "effect/http"
import type { DatasetError } from "./DatasetError.ts"
import type { CacheOptions, RemoteFile } from "./Download.ts"
import type { LabelledSet } from "./LabelledSet.ts"
import type { ByteScale, Normalisation } from "./Normalisation.ts"
import type { SplitPlan } from "./Split.ts"

/** The registered datasets' names, in the order `datasets list` shows them. */
export const datasetNames = ["mnist", "fashion-mnist", "cifar10", "norb-jittered", "norb-small", "emnist-byclass"] as const
/** One of `datasetNames`: what `LoadOptions.name` and the `datasets` commands take. */
export type DatasetName = typeof datasetNames[number]

/** Expected sizes, for files that differ from the official ones (subsets, tests). */
export interface ExpectedSizes {
  /** NORB: stereo pairs per file (official: 29,160 jittered, 24,300 small). */
  readonly pairsPerFile?: number | undefined
  /** CIFAR-10: records per batch file (official: 10,000). */
  readonly recordsPerBatch?: number | undefined
  /** IDX datasets: examples in the official training / test files. */
  readonly trainCount?: number | undefined
  readonly testCount?: number | undefined
}

/** What `loadDataset` hands a spec's `load`, every field decided. */
export interface LoadContext {
  /** The load's cache options, with the cache folder and the offline switch resolved. */
  readonly cache: CacheOptions
  /** The byte map of the chosen normalisation, applied while parsing. */
  readonly scale: ByteScale
  /** NORB: the side of the reduced images (32 in the paper). */
  readonly side: number
  /** Fashion-MNIST: the folder of Debian's files. */
  readonly debianDirectory: string
  /** Sizes that replace the official ones (empty for the official files). */
  readonly expected: ExpectedSizes
}

/** One dataset of the registry: what it is, how it is split and normalised by default, and how it loads. */
export interface DatasetSpec {
  readonly name: DatasetName
  /** One line for `datasets list`: source, classes, image size. */
  readonly description: string
  /** Labels run from 0 to `classes - 1`. */
  readonly classes: number
  /**
   * The shape of one example before flattening, given the NORB image side
   * (the other datasets ignore it): [28, 28] for the MNIST family and EMNIST,
   * [3, 32, 32] for CIFAR-10, [2, side, side] for a NORB stereo pair.
   */
  readonly exampleShape: (side: number) => ReadonlyArray<number>
  /** Used when `LoadOptions.normalisation` is left out: `symmetric` for NORB, `unit` otherwise. */
  readonly normalisation: Normalisation
  /** The paper's split, which `LoadOptions.split` can override. */
  readonly split: SplitPlan
  /** The files the cache holds for it (none for the embedded MNIST). */
  readonly files: ReadonlyArray<RemoteFile>
  /**
   * Reads the official training and test sets, each byte mapped through
   * `context.scale`, fetching missing files into the cache (hence the
   * `HttpClient`); fails with a `DatasetError` naming the file.
   */
  readonly load: (context: LoadContext) => Effect.Effect<{ readonly train: LabelledSet; readonly test: LabelledSet }, DatasetError, HttpClient.HttpClient>
}
