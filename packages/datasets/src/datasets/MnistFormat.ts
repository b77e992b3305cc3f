/**
 * The four-file layout MNIST and Fashion-MNIST share: a name and official
 * md5 per file, the IDX size of each, and reading one split (28x28 images,
 * 10 classes) from its images and labels files, checked against their md5.
 */
import { type ByteSource, runParser } from "../ByteReader.ts"
import type { LoadContext } from "../DatasetSpec.ts"
import { readIdxSet } from "../Idx.ts"

/** One file of the layout and the official md5 of its (uncompressed) bytes. */
export interface FileEntry {
  readonly name: string
  readonly md5: string
}

/** IDX bytes of an (uncompressed) MNIST-format file: 60,000 or 10,000 images of 28x28 (16-byte header) or labels (8-byte header). */
export const idxBytes = (entry: FileEntry): number => {
  const count = entry.name.startsWith("train") ? 60_000 : 10_000
  return entry.name.includes("images") ? 16 + count * 784 : 8 + count
}

const md5 = (value: string) => ({ algorithm: "md5" as const, value })

/**
 * Reads one split in MNIST's format (28x28, 10 classes) from the images and
 * labels files at the two paths, opened with `open`, checking each file's
 * md5 against its entry.
 */
export const readMnistFormat = (
  open: (path: string) => ByteSource,
  entries: { readonly images: FileEntry; readonly labels: FileEntry },
  imagesPath: string,
  labelsPath: string,
  count: number,
  context: LoadContext
) =>
  runParser(imagesPath, (signal) =>
    readIdxSet({
      images: open(imagesPath),
      labels: open(labelsPath),
      classes: 10,
      scale: context.scale,
      count,
      side: 28,
      imagesDigest: md5(entries.images.md5),
      labelsDigest: md5(entries.labels.md5)
    }, signal))
