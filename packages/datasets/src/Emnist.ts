/**
 * EMNIST from its official archive (`gzip.zip`): one split's images and
 * labels are IDX `.gz` members of the zip, inflated and gunzipped as they
 * are read. EMNIST stores its images transposed; they are written back
 * row-major.
 */
import { gunzipped } from "./ByteReader.ts"
import { MalformedFile } from "./DatasetError.ts"
import { readIdxSet } from "./Idx.ts"
import type { LabelledSet } from "./LabelledSet.ts"
import type { ByteScale } from "./Normalisation.ts"
import { readZipDirectory, zipMemberSource } from "./Zip.ts"

/** Reads one EMNIST split's image/label pair from the zip (its members are IDX .gz files). */
export const readEmnistSet = async (
  zipPath: string,
  split: string,
  part: "train" | "test",
  options: { readonly classes: number; readonly scale: ByteScale; readonly count?: number | undefined },
  signal?: AbortSignal
): Promise<LabelledSet> => {
  const members = await readZipDirectory(zipPath)
  const member = (kind: "images-idx3" | "labels-idx1") => {
    const name = `gzip/emnist-${split}-${part}-${kind}-ubyte.gz`
    const found = members.get(name)
    if (found === undefined) throw new MalformedFile({ file: zipPath, problem: `the archive has no member ${name}` })
    const source = zipMemberSource(zipPath, found)
    return gunzipped(source, source.file)
  }
  return readIdxSet({
    images: member("images-idx3"),
    labels: member("labels-idx1"),
    classes: options.classes,
    scale: options.scale,
    count: options.count,
    side: 28,
    transpose: true
  }, signal)
}
