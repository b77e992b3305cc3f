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

export const datasetNames = ["mnist", "fashion-mnist", "cifar10", "norb-jittered", "norb-small", "emnist-byclass"] as const
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

export interface LoadContext {
  readonly cache: CacheOptions
  readonly scale: ByteScale
  /** NORB: the side of the reduced images (32 in the paper). */
  readonly side: number
  /** Fashion-MNIST: the folder of Debian's files. */
  readonly debianDirectory: string
  readonly expected: ExpectedSizes
}

export interface DatasetSpec {
  readonly name: DatasetName
  readonly description: string
  readonly classes: number
  readonly exampleShape: (side: number) => ReadonlyArray<number>
  readonly normalisation: Normalisation
  readonly split: SplitPlan
  /** The files the cache holds for it (none for the embedded MNIST). */
  readonly files: ReadonlyArray<RemoteFile>
  readonly load: (context: LoadContext) => Effect.Effect<{ readonly train: LabelledSet; readonly test: LabelledSet }, DatasetError, HttpClient.HttpClient>
}
