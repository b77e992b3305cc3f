/**
 * Property-based fuzzing of every parser: valid small files in each format,
 * corrupted (bytes overwritten, truncated, bytes inserted), must either parse
 * or fail with a typed dataset error whose message names the file; never
 * throw anything else and never hang (each run is bounded by a deadline).
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import fc from "fast-check"
import { bufferSource, gunzipped, runParser } from "../src/ByteReader.ts"
import { readCifar10, readEmnistSet, readIdxSet, readNorb } from "../src/index.ts"
import { cifarRecords, gzip, idxImages, idxLabels, norbCat, norbDat, pattern, tar, zip } from "./fixtures.ts"

const dir = mkdtempSync(join(tmpdir(), "fuzz-"))
const raw = { scale: 1, offset: 0 }
const knownTags = ["MalformedFile", "ChecksumMismatch", "DatasetFileUnreadable"]

/** A corruption of `bytes`: overwrite some bytes, cut the end, or insert bytes. */
const corruption = (length: number) =>
  fc.oneof(
    fc.array(fc.tuple(fc.nat({ max: length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 })
      .map((edits) => (bytes: Uint8Array) => {
        const out = bytes.slice()
        for (const [at, x] of edits) out[at] ^= x
        return out
      }),
    fc.nat({ max: length - 1 }).map((cut) => (bytes: Uint8Array) => bytes.slice(0, cut)),
    fc.tuple(fc.nat({ max: length }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
      .map(([at, extra]) => (bytes: Uint8Array) => {
        const out = new Uint8Array(bytes.length + extra.length)
        out.set(bytes.subarray(0, at))
        out.set(extra, at)
        out.set(bytes.subarray(at), at + extra.length)
        return out
      })
  )

/** Runs `parse` on corrupted variants of `valid`; every outcome must be a success or a typed error naming `file`. */
const fuzz = (valid: Uint8Array, file: string, parse: (bytes: Uint8Array) => Effect.Effect<unknown, { _tag: string; message: string }>) =>
  fc.assert(
    fc.asyncProperty(corruption(valid.length), async (corrupt) => {
      const exit = await Effect.runPromiseExit(parse(corrupt(valid)).pipe(Effect.timeout("5 seconds")))
      if (Exit.isSuccess(exit)) return true
      const error = exit.cause.reasons[0]
      if (error?._tag !== "Fail") throw new Error(`died instead of failing: ${String(exit.cause)}`)
      const failure = error.error as { _tag: string; message: string }
      if (!knownTags.includes(failure._tag)) throw new Error(`unexpected error ${failure._tag}: ${failure.message}`)
      if (!failure.message.includes(file)) throw new Error(`message does not name ${file}: ${failure.message}`)
      return true
    }),
    // FUZZ_RUNS / FUZZ_SEED allow a longer hunt by hand; the suite stays fixed and fast.
    { numRuns: Number(process.env.FUZZ_RUNS ?? 60), seed: Number(process.env.FUZZ_SEED ?? 20110415) }
  )

describe("fuzzing the parsers with corrupted inputs", () => {
  it("IDX image and label files (plain and gzip)", async () => {
    const images = idxImages(3, 28, 28)
    const labels = idxLabels([1, 2, 3])
    const parse = (imageBytes: Uint8Array, labelBytes: Uint8Array) =>
      runParser("idx", (signal) =>
        readIdxSet({ images: bufferSource("images.idx", imageBytes), labels: bufferSource("labels.idx", labelBytes), classes: 10, scale: raw }, signal))
    await fuzz(images, "images.idx", (bytes) => parse(bytes, labels))
    await fuzz(labels, "labels.idx", (bytes) => parse(images, bytes))
    await fuzz(gzip(images), "images.idx.gz", (bytes) =>
      runParser("idx", (signal) =>
        readIdxSet({
          images: gunzipped(bufferSource("images.idx.gz", bytes)),
          labels: bufferSource("labels.idx", labels),
          classes: 10,
          scale: raw
        }, signal)))
  }, 60_000)

  it("CIFAR-10 tar.gz", async () => {
    const files = [1, 2, 3, 4, 5].map((b) => ({ name: `cifar-10-batches-bin/data_batch_${b}.bin`, data: cifarRecords([b, 0], b) }))
      .concat([{ name: "cifar-10-batches-bin/test_batch.bin", data: cifarRecords([9, 8], 7) }])
    const archive = tar(files)
    const parse = (source: ReturnType<typeof bufferSource>) =>
      runParser(source.file, (signal) => readCifar10(source, { scale: raw, recordsPerBatch: 2 }, signal))
    await fuzz(archive, "cifar.tar", (bytes) => parse(bufferSource("cifar.tar", bytes)))
    await fuzz(gzip(archive), "cifar.tar.gz", (bytes) => parse(gunzipped(bufferSource("cifar.tar.gz", bytes))))
  }, 60_000)

  it("NORB dat and cat matrices", async () => {
    const dat = norbDat(2, 96, pattern(2 * 2 * 96 * 96))
    const cat = norbCat([0, 4])
    const parse = (datBytes: Uint8Array, catBytes: Uint8Array) =>
      runParser("norb", (signal) =>
        readNorb([{ dat: bufferSource("norb-dat.mat", datBytes), cat: bufferSource("norb-cat.mat", catBytes) }], {
          side: 96,
          outSide: 32,
          classes: 5,
          scale: raw
        }, signal))
    await fuzz(dat.subarray(0, 2000 + 24), "norb-dat.mat", (bytes) =>
      // Header corruptions matter most: fuzz the first bytes, then append the rest of the file.
      parse(new Uint8Array([...bytes, ...dat.subarray(2024)]), cat))
    await fuzz(cat, "norb-cat.mat", (bytes) => parse(dat, bytes))
  }, 60_000)

  it("EMNIST zip", async () => {
    const archive = zip([
      { name: "gzip/emnist-byclass-train-images-idx3-ubyte.gz", data: gzip(idxImages(2, 28, 28)) },
      { name: "gzip/emnist-byclass-train-labels-idx1-ubyte.gz", data: gzip(idxLabels([3, 61])) }
    ])
    let n = 0
    await fuzz(archive, "emnist", (bytes) => {
      const path = join(dir, `emnist-${n++}.zip`)
      writeFileSync(path, bytes)
      return runParser(path, (signal) => readEmnistSet(path, "byclass", "train", { classes: 62, scale: raw }, signal))
    })
  }, 60_000)
})
