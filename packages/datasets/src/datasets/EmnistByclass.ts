/**
 * The `emnist-byclass` dataset: EMNIST byclass, 62 classes, the public
 * stand-in for the paper's NISTP (NIST SD19 with distortions, never
 * released), from the md5-checked `gzip.zip`. Split 617,932 / 80k / 116,323
 * (validation from the end of the training set).
 */
import { Effect } from "effect"
import { runParser } from "../ByteReader.ts"
import type { DatasetSpec } from "../DatasetSpec.ts"
import { ensureFile, type RemoteFile } from "../Download.ts"
import { readEmnistSet } from "../Emnist.ts"

const EMNIST_MIRROR = "https://biometrics.nist.gov/cs_links/EMNIST"

/** EMNIST's `gzip.zip` from NIST (md5-checked; at most 1 GiB, as no size is published), holding every EMNIST split. */
export const emnistFile: RemoteFile = {
  dataset: "emnist-byclass",
  path: "emnist/gzip.zip",
  remotePath: "gzip.zip",
  mirrors: [EMNIST_MIRROR],
  // No size is published with the md5; the archive is about half a GiB, so 1 GiB bounds a lying server.
  size: { atMost: 1 << 30, basis: "a bound of 1 GiB on an archive of about half that" },
  checksum: { algorithm: "md5", value: "58c8d27c78d21e728a6bc7b3cc06412e", of: "file" }
}

export const emnistByclassSpec: DatasetSpec = {
  name: "emnist-byclass",
  description: "EMNIST byclass, 62 classes, 28x28: the public stand-in for the paper's NISTP (never released)",
  classes: 62,
  exampleShape: () => [28, 28],
  normalisation: "unit",
  split: { validationFrom: "train", train: 617_932, validation: 80_000, test: 116_323 },
  files: [emnistFile],
  load: (context) =>
    Effect.gen(function*() {
      const path = yield* ensureFile(emnistFile, context.cache)
      const options = (count: number) => ({ classes: 62, scale: context.scale, count })
      return yield* runParser(path, async (signal) => ({
        train: await readEmnistSet(path, "byclass", "train", options(context.expected.trainCount ?? 697_932), signal),
        test: await readEmnistSet(path, "byclass", "test", options(context.expected.testCount ?? 116_323), signal)
      }))
    })
}
