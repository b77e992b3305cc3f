import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { bufferSource, fileSource, gunzipped, runParser } from "../src/ByteReader.ts"
import { areaWeights, checkNorbFile, readCifar10, readEmnistSet, readNorb } from "../src/index.ts"
import { cifarRecords, concat, gzip, idxImages, idxLabels, norbCat, norbDat, pattern, tar, zip } from "./fixtures.ts"

const dir = mkdtempSync(join(tmpdir(), "formats-"))
const write = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}
const raw = { scale: 1, offset: 0 }
const cifarBatches = (perBatch: number) =>
  [1, 2, 3, 4, 5].map((b) => ({
    name: `cifar-10-batches-bin/data_batch_${b}.bin`,
    data: cifarRecords(Array.from({ length: perBatch }, (_, i) => (b + i) % 10), b)
  })).concat([{ name: "cifar-10-batches-bin/test_batch.bin", data: cifarRecords(Array.from({ length: perBatch }, (_, i) => i % 10), 9) }])

describe("CIFAR-10 binary tar.gz", () => {
  it.effect("reads every batch's records into train and test in file order", () =>
    Effect.gen(function*() {
      const batches = cifarBatches(3)
      const archive = write("cifar.tar.gz", gzip(tar([{ name: "cifar-10-batches-bin/batches.meta.txt", data: pattern(90) }, ...batches.slice().reverse()])))
      const { test, train } = yield* runParser(archive, (signal) =>
        readCifar10(gunzipped(fileSource(archive)), { scale: raw, recordsPerBatch: 3 }, signal))
      assert.strictEqual(train.count, 15)
      assert.strictEqual(test.count, 3)
      // Record 1 of data_batch_2 is training row 4: label (2 + 1) % 10, pixels after its label byte.
      const record = batches[1]!.data.subarray(3073, 2 * 3073)
      assert.strictEqual(train.labels[4], 3)
      assert.deepStrictEqual(Array.from(train.inputs.subarray(4 * 3072, 5 * 3072)), Array.from(record.subarray(1)))
      assert.deepStrictEqual(Array.from(test.labels), [0, 1, 2])
    }))

  const failures: Array<[string, Uint8Array, RegExp]> = [
    ["missing batch", tar(cifarBatches(2).slice(1)), /lacks data_batch_1\.bin/],
    ["wrong batch size", tar(cifarBatches(2).map((b, i) => (i === 2 ? { ...b, data: b.data.subarray(5) } : b))), /data_batch_3\.bin holds 6141 bytes/],
    ["label out of range", tar(cifarBatches(2).map((b, i) => (i === 5 ? { ...b, data: concat([Uint8Array.of(10), b.data.subarray(1)]) } : b))), /label 10 of record 0 is outside 0..9/],
    ["bad tar header", concat([pattern(512), tar(cifarBatches(2))]), /checksum|not octal/],
    ["archive without its end", tar(cifarBatches(2)).subarray(0, 6 * (512 + 6146 + 510) + 512 - 1024), /ends at offset|truncated/]
  ]
  for (const [name, bytes, problem] of failures) {
    it.effect(`${name}: MalformedFile naming the archive`, () =>
      Effect.gen(function*() {
        const archive = write(`${name}.tar.gz`, gzip(bytes))
        const error = yield* Effect.flip(runParser(archive, (signal) =>
          readCifar10(gunzipped(fileSource(archive)), { scale: raw, recordsPerBatch: 2 }, signal)))
        assert.strictEqual(error._tag, "MalformedFile")
        assert.include(error.message, archive)
        assert.match(error.message, problem)
      }))
  }
})

describe("NORB files checked whole (the check a download without a checksum passes)", () => {
  const check = (bytes: Uint8Array, shape: Parameters<typeof checkNorbFile>[1]) =>
    runParser("f.mat", (signal) => checkNorbFile(bufferSource("f.mat", bytes), shape, signal))
  const dat = { kind: "dat", count: 3, side: 96, classes: 5 } as const
  const cat = { kind: "cat", count: 3, side: 96, classes: 5 } as const

  it.effect("a whole matrix of the expected shape passes", () =>
    Effect.gen(function*() {
      yield* check(norbDat(3, 96), dat)
      yield* check(norbCat([0, 4, 2]), cat)
    }))

  for (
    const [what, bytes, shape, problem] of [
      ["an empty file", new Uint8Array(0), dat, /truncated: the NORB header/],
      ["a truncated matrix", norbDat(3, 96).subarray(0, 10_000), dat, /truncated: 3 stereo pairs/],
      ["trailing bytes", concat([norbDat(3, 96), new Uint8Array(7)]), dat, /trailing bytes: 7 bytes after 3 stereo pairs/],
      ["another count", norbDat(2, 96), dat, /holds 2 pairs, expected 3/],
      ["another side", norbDat(3, 108), dat, /expected stereo pairs 2x96x96/],
      ["labels out of range", norbCat([0, 5, 1]), cat, /label 5 at index 1 is outside 0..4/],
      ["labels in a -dat file", norbCat([0, 1, 2]), dat, /wrong magic/]
    ] as const
  ) {
    it.effect(`${what} is MalformedFile`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(check(bytes, shape))
        assert.strictEqual(error._tag, "MalformedFile")
        assert.match(error.message, problem)
      }))
  }
})

/** Exact area averaging by replicating each pixel `out` times per axis and averaging blocks of `side`. */
const referenceReduce = (image: Uint8Array, side: number, out: number): Array<number> => {
  const result: Array<number> = []
  for (let oy = 0; oy < out; oy++) {
    for (let ox = 0; ox < out; ox++) {
      let sum = 0
      for (let y = oy * side; y < (oy + 1) * side; y++) {
        for (let x = ox * side; x < (ox + 1) * side; x++) sum += image[Math.floor(y / out) * side + Math.floor(x / out)]!
      }
      result.push(sum / (side * side))
    }
  }
  return result
}

describe("NORB binary matrices", () => {
  it("area weights of every output pixel sum to one", () => {
    for (const [input, output] of [[108, 32], [96, 32], [10, 3]] as const) {
      for (const { weight } of areaWeights(input, output)) assert.closeTo(weight.reduce((a, b) => a + b, 0), 1, 1e-12)
    }
  })

  it.effect("reduces 108x108 stereo pairs to 2x32x32 by area averaging, scaled to [-1, 1]", () =>
    Effect.gen(function*() {
      const pixels = pattern(3 * 2 * 108 * 108, 5)
      const dat = write("j-dat.mat.gz", gzip(norbDat(3, 108, pixels)))
      const cat = write("j-cat.mat.gz", gzip(norbCat([5, 0, 3])))
      const set = yield* runParser(dat, (signal) =>
        readNorb([{ dat: gunzipped(fileSource(dat)), cat: gunzipped(fileSource(cat)) }], {
          side: 108,
          outSide: 32,
          classes: 6,
          scale: { scale: 2 / 255, offset: -1 },
          countPerFile: 3
        }, signal))
      assert.strictEqual(set.features, 2048)
      assert.deepStrictEqual(Array.from(set.labels), [5, 0, 3])
      for (const [example, view] of [[0, 0], [2, 1]] as const) {
        const image = pixels.subarray((example * 2 + view) * 108 * 108, (example * 2 + view + 1) * 108 * 108)
        const expected = referenceReduce(image, 108, 32).map((v) => v * 2 / 255 - 1)
        const actual = set.inputs.subarray(example * 2048 + view * 1024, example * 2048 + (view + 1) * 1024)
        expected.forEach((v, i) => assert.closeTo(actual[i]!, v, 1e-5))
      }
      assert.isTrue(set.inputs.every((v) => v >= -1 && v <= 1))
    }))

  it.effect("small NORB (96x96) reduces by exact 3x3 means and concatenates files", () =>
    Effect.gen(function*() {
      const a = pattern(2 * 2 * 96 * 96, 1)
      const parts = [0, 1].map((p) => ({
        dat: bufferSource(`dat${p}`, norbDat(2, 96, p === 0 ? a : pattern(2 * 2 * 96 * 96, 2))),
        cat: bufferSource(`cat${p}`, norbCat([p, 4]))
      }))
      const set = yield* runParser("small", (signal) => readNorb(parts, { side: 96, outSide: 32, classes: 5, scale: raw }, signal))
      assert.strictEqual(set.count, 4)
      assert.deepStrictEqual(Array.from(set.labels), [0, 4, 1, 4])
      let sum = 0
      for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) sum += a[y * 96 + x]!
      assert.closeTo(set.inputs[0]!, sum / 9, 1e-4)
    }))

  const header = (magic: number, rank: number, dims: Array<number>) => {
    const out = new Uint8Array(8 + 4 * dims.length)
    const view = new DataView(out.buffer)
    view.setInt32(0, magic, true)
    view.setInt32(4, rank, true)
    dims.forEach((d, i) => view.setInt32(8 + 4 * i, d, true))
    return out
  }
  const failures: Array<[string, Uint8Array, Uint8Array, "dat" | "cat", RegExp]> = [
    ["wrong magic", concat([header(0x1e3d4c51, 4, [2, 2, 96, 96]), pattern(2 * 2 * 96 * 96)]), norbCat([0, 1]), "dat", /wrong magic 0x1E3D4C51, expected 0x1E3D4C55/],
    ["wrong image size", norbDat(2, 32), norbCat([0, 1]), "dat", /expected stereo pairs 2x96x96/],
    ["truncated data", norbDat(2, 96).subarray(0, 5000), norbCat([0, 1]), "dat", /truncated/],
    ["trailing data", concat([norbDat(2, 96), Uint8Array.of(7)]), norbCat([0, 1]), "dat", /trailing bytes/],
    ["label count mismatch", norbDat(2, 96), norbCat([0, 1, 2]), "cat", /3 labels, expected 2/],
    ["label out of range", norbDat(2, 96), norbCat([0, 5]), "cat", /label 5 at index 1 is outside 0..4/],
    ["negative label", norbDat(2, 96), norbCat([-1, 0]), "cat", /label -1/],
    ["absurd rank", concat([header(0x1e3d4c55, 99, [1, 1, 1])]), norbCat([0]), "dat", /rank 99/],
    ["labels as uint8", norbDat(2, 96), concat([header(0x1e3d4c55, 1, [2, 1, 1]), Uint8Array.of(0, 1)]), "cat", /wrong magic/]
  ]
  for (const [name, dat, cat, blame, problem] of failures) {
    it.effect(`${name}: MalformedFile naming the ${blame} file`, () =>
      Effect.gen(function*() {
        const datPath = write(`${name}-dat.mat`, dat)
        const catPath = write(`${name}-cat.mat`, cat)
        const error = yield* Effect.flip(runParser(datPath, (signal) =>
          readNorb([{ dat: fileSource(datPath), cat: fileSource(catPath) }], { side: 96, outSide: 32, classes: 5, scale: raw }, signal)))
        assert.strictEqual(error._tag, "MalformedFile")
        assert.include(error.message, blame === "dat" ? datPath : catPath)
        assert.match(error.message, problem)
      }))
  }
})

describe("EMNIST zip of IDX .gz files", () => {
  const members = (count: number, pixels: Uint8Array, labels: Array<number>) => [
    { name: "gzip/emnist-byclass-train-images-idx3-ubyte.gz", data: gzip(idxImages(count, 28, 28, pixels)) },
    { name: "gzip/emnist-byclass-train-labels-idx1-ubyte.gz", data: gzip(idxLabels(labels)) },
    { name: "gzip/emnist-digits-train-labels-idx1-ubyte.gz", data: gzip(idxLabels([1])) }
  ]

  for (const store of [false, true]) {
    it.effect(`reads a split and transposes its images back (${store ? "stored" : "deflated"} members)`, () =>
      Effect.gen(function*() {
        const pixels = pattern(2 * 784, 3)
        const path = write(`emnist-${store}.zip`, zip(members(2, pixels, [61, 0]), store))
        const set = yield* runParser(path, (signal) =>
          readEmnistSet(path, "byclass", "train", { classes: 62, scale: raw, count: 2 }, signal))
        assert.deepStrictEqual(Array.from(set.labels), [61, 0])
        for (const [r, c] of [[0, 1], [5, 17], [27, 3]] as const) {
          assert.strictEqual(set.inputs[784 + r * 28 + c], pixels[784 + c * 28 + r])
        }
      }))
  }

  it.effect("a corrupted member fails its CRC or its inflation, naming archive and member", () =>
    Effect.gen(function*() {
      const bytes = zip(members(2, pattern(2 * 784), [1, 2]), true)
      bytes[200] ^= 0x55 // inside the stored images .gz
      const path = write("corrupt.zip", bytes)
      const error = yield* Effect.flip(runParser(path, (signal) =>
        readEmnistSet(path, "byclass", "train", { classes: 62, scale: raw }, signal)))
      assert.strictEqual(error._tag, "MalformedFile")
      assert.include(error.message, `${path}:gzip/emnist-byclass-train-images-idx3-ubyte.gz`)
    }))

  it.effect("a truncated zip or a missing member is a typed error", () =>
    Effect.gen(function*() {
      const bytes = zip(members(1, pattern(784), [1]))
      const truncated = write("truncated.zip", bytes.subarray(0, bytes.length - 30))
      const a = yield* Effect.flip(runParser(truncated, (signal) => readEmnistSet(truncated, "byclass", "train", { classes: 62, scale: raw }, signal)))
      assert.strictEqual(a._tag, "MalformedFile")
      assert.include(a.message, truncated)
      const whole = write("whole.zip", bytes)
      const b = yield* Effect.flip(runParser(whole, (signal) => readEmnistSet(whole, "byclass", "test", { classes: 62, scale: raw }, signal)))
      assert.match(b.message, /no member gzip\/emnist-byclass-test-(images|labels)/)
    }))
})
