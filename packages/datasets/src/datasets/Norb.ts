/**
 * The two NORB datasets, stereo pairs reduced to 2x32x32 in [-1, 1]:
 *
 * - `norb-jittered`: Jittered-Cluttered NORB v1.0, 6 classes, 108x108 pairs
 *   in 10 training and 2 testing file pairs; the paper's 233,172 / 58,428 / 58,320.
 * - `norb-small`: small NORB, 5 classes, 96x96 pairs; 20k / 4.3k / 24.3k.
 *
 * NORB publishes no checksums: each file's structure (header, dimensions,
 * length, labels) is checked before it enters the cache.
 */
import { Effect } from "effect"
import { type ByteSource, fileSource, gunzipped, runParser } from "../ByteReader.ts"
import type { DatasetName, DatasetSpec, LoadContext } from "../DatasetSpec.ts"
import { ensureFile, type RemoteFile } from "../Download.ts"
import { checkNorbFile, type NorbFileShape, norbMatrixBytes, readNorb } from "../Norb.ts"
import { gzipBound } from "./GzipBound.ts"

const NORB_MIRROR = "https://cs.nyu.edu/~ylclab/data/norb-v1.0"
const SMALL_NORB_MIRROR = "https://cs.nyu.edu/~ylclab/data/norb-v1.0-small"

type NorbSplit = "training" | "testing"

const gzSource = (path: string): ByteSource => gunzipped(fileSource(path))

/**
 * A NORB `.mat.gz` file, checked by its structure (NORB publishes no
 * checksums): the gunzipped matrix must have the shape's header, dimensions
 * and length, and a `-cat` file labels in range. `count` is the registry's
 * pairs per file unless a test's expected sizes say otherwise.
 */
const norbFile = (dataset: DatasetName, mirror: string, name: string, shape: NorbFileShape): RemoteFile => {
  const what = shape.kind === "dat"
    ? `NORB uint8 matrix ${shape.count}x2x${shape.side}x${shape.side}`
    : `NORB int32 matrix of ${shape.count} labels in 0..${shape.classes - 1}`
  return {
    dataset,
    path: `${dataset}/${name}`,
    remotePath: name,
    mirrors: [mirror],
    size: gzipBound(norbMatrixBytes(shape), `a ${what}`),
    structure: {
      description: `${what}, gzipped`,
      check: (path) => runParser(path, (signal) => checkNorbFile(gzSource(path), shape, signal))
    }
  }
}

type NorbParts = ReadonlyArray<{ readonly dat: RemoteFile; readonly cat: RemoteFile }>

const jitteredName = (split: NorbSplit, index: number, kind: "dat" | "cat") =>
  `norb-5x${split === "training" ? "46789" : "01235"}x9x18x6x2x108x108-${split}-${String(index).padStart(2, "0")}-${kind}.mat.gz`

const jitteredParts = (split: NorbSplit, count: number): NorbParts =>
  Array.from({ length: split === "training" ? 10 : 2 }, (_, i) => ({
    dat: norbFile("norb-jittered", NORB_MIRROR, jitteredName(split, i + 1, "dat"), { kind: "dat", count, side: 108, classes: 6 }),
    cat: norbFile("norb-jittered", NORB_MIRROR, jitteredName(split, i + 1, "cat"), { kind: "cat", count, side: 108, classes: 6 })
  }))

const smallName = (split: NorbSplit, kind: "dat" | "cat") =>
  `smallnorb-5x${split === "training" ? "46789" : "01235"}x9x18x6x2x96x96-${split}-${kind}.mat.gz`

const smallParts = (split: NorbSplit, count: number): NorbParts => [{
  dat: norbFile("norb-small", SMALL_NORB_MIRROR, smallName(split, "dat"), { kind: "dat", count, side: 96, classes: 5 }),
  cat: norbFile("norb-small", SMALL_NORB_MIRROR, smallName(split, "cat"), { kind: "cat", count, side: 96, classes: 5 })
}]

const loadNorb = (parts: NorbParts, inputSide: number, classes: number, pairsPerFile: number, context: LoadContext) =>
  Effect.gen(function*() {
    const paths: Array<{ dat: ByteSource; cat: ByteSource }> = []
    for (const part of parts) {
      paths.push({
        dat: gzSource(yield* ensureFile(part.dat, context.cache)),
        cat: gzSource(yield* ensureFile(part.cat, context.cache))
      })
    }
    return yield* runParser(paths[0]!.dat.file, (signal) =>
      readNorb(paths, { side: inputSide, outSide: context.side, classes, scale: context.scale, countPerFile: pairsPerFile }, signal))
  })

/** A NORB variant: stereo pairs of `inputSide`² pixels per image, reduced to 2×side² in [-1, 1]. */
const norbSpec = (variant: {
  readonly name: DatasetName
  readonly description: string
  readonly classes: number
  readonly split: DatasetSpec["split"]
  readonly parts: (split: NorbSplit, pairsPerFile: number) => NorbParts
  readonly inputSide: number
  readonly pairsPerFile: number
}): DatasetSpec => ({
  name: variant.name,
  description: variant.description,
  classes: variant.classes,
  exampleShape: (side) => [2, side, side],
  normalisation: "symmetric",
  split: variant.split,
  files: [...variant.parts("training", variant.pairsPerFile), ...variant.parts("testing", variant.pairsPerFile)]
    .flatMap((p) => [p.dat, p.cat]),
  load: (context) => {
    const pairs = context.expected.pairsPerFile ?? variant.pairsPerFile
    const load = (split: NorbSplit) => loadNorb(variant.parts(split, pairs), variant.inputSide, variant.classes, pairs, context)
    return Effect.all({ train: load("training"), test: load("testing") })
  }
})

export const norbJitteredSpec = norbSpec({
  name: "norb-jittered",
  description: "Jittered-Cluttered NORB v1.0, 6 classes, stereo 2x108x108 reduced to 2x32x32 in [-1, 1] (the paper's NORB)",
  classes: 6,
  split: { validationFrom: "train", train: 233_172, validation: 58_428, test: 58_320 },
  parts: jitteredParts,
  inputSide: 108,
  pairsPerFile: 29_160
})

export const norbSmallSpec = norbSpec({
  name: "norb-small",
  description: "small NORB, 5 classes, stereo 2x96x96 reduced to 2x32x32 in [-1, 1]",
  classes: 5,
  split: { validationFrom: "train", train: 20_000, validation: 4_300, test: 24_300 },
  parts: smallParts,
  inputSide: 96,
  pairsPerFile: 24_300
})
