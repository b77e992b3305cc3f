/**
 * Every dataset by name, collected from the specs under `datasets/` (where
 * each one's files, checksums, split, normalisation and loading are):
 * `mnist`, `fashion-mnist`, `cifar10`, `norb-jittered`, `norb-small`,
 * `emnist-byclass`.
 */
import { Effect } from "effect"
import { UnknownDataset } from "./DatasetError.ts"
import { type DatasetName, datasetNames, type DatasetSpec } from "./DatasetSpec.ts"
import { cifar10Spec } from "./datasets/Cifar10.ts"
import { emnistByclassSpec } from "./datasets/EmnistByclass.ts"
import { fashionMnistSpec } from "./datasets/FashionMnist.ts"
import { mnistSpec } from "./datasets/Mnist.ts"
import { norbJitteredSpec, norbSmallSpec } from "./datasets/Norb.ts"

/** Each dataset's spec, by name. */
export const registry: Readonly<Record<DatasetName, DatasetSpec>> = {
  mnist: mnistSpec,
  "fashion-mnist": fashionMnistSpec,
  cifar10: cifar10Spec,
  "norb-jittered": norbJitteredSpec,
  "norb-small": norbSmallSpec,
  "emnist-byclass": emnistByclassSpec
}

/** The spec of the dataset called `name`; fails with `UnknownDataset`, listing the known names, for any other. */
export const lookupDataset = (name: string): Effect.Effect<DatasetSpec, UnknownDataset> =>
  (datasetNames as ReadonlyArray<string>).includes(name)
    ? Effect.succeed(registry[name as DatasetName])
    : Effect.fail(new UnknownDataset({ name, known: datasetNames }))
