/**
 * The `cifar10` dataset: the binary tar.gz, downloaded into the cache and
 * checked by its official size and md5. Split 50k / 5k / 5k: validation and
 * test halve the official test set, as in the paper.
 */
import { Effect } from "effect"
import { fileSource, gunzipped, runParser } from "../ByteReader.ts"
import { readCifar10 } from "../Cifar.ts"
import type { DatasetSpec } from "../DatasetSpec.ts"
import { ensureFile, type RemoteFile } from "../Download.ts"

const CIFAR_MIRROR = "https://www.cs.toronto.edu/~kriz"

/** CIFAR-10's one file, `cifar-10-binary.tar.gz` (170,052,171 bytes, md5-checked), from its authors' site. */
export const cifar10File: RemoteFile = {
  dataset: "cifar10",
  path: "cifar10/cifar-10-binary.tar.gz",
  remotePath: "cifar-10-binary.tar.gz",
  mirrors: [CIFAR_MIRROR],
  size: { exact: 170_052_171 },
  checksum: { algorithm: "md5", value: "c32a1d4ab5d03f1284b67883e8d87530", of: "file" }
}

export const cifar10Spec: DatasetSpec = {
  name: "cifar10",
  description: "CIFAR-10, 10 classes, 3x32x32 (channel-major), from the binary tar.gz",
  classes: 10,
  exampleShape: () => [3, 32, 32],
  normalisation: "unit",
  split: { validationFrom: "test", train: 50_000, validation: 5_000, test: 5_000 },
  files: [cifar10File],
  load: (context) =>
    Effect.gen(function*() {
      const path = yield* ensureFile(cifar10File, context.cache)
      return yield* runParser(path, (signal) =>
        readCifar10(gunzipped(fileSource(path)), { scale: context.scale, recordsPerBatch: context.expected.recordsPerBatch }, signal))
    })
}
