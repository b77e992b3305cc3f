/**
 * The IDX format of MNIST and its relatives: a big-endian header of two zero
 * bytes, a type code, the number of dimensions and one uint32 per dimension,
 * then the data in C order. Only unsigned-byte data (type 0x08) is used.
 */
import { Effect } from "effect"
import { MalformedFile } from "./DatasetError.ts"

export interface IdxArray {
  readonly dimensions: ReadonlyArray<number>
  readonly data: Uint8Array
}

const UNSIGNED_BYTE = 0x08

/** Parses an IDX file's bytes; `expectedRank` is 1 for labels, 3 for images. */
export const parseIdx = (
  file: string,
  bytes: Uint8Array,
  expectedRank: number
): Effect.Effect<IdxArray, MalformedFile> =>
  Effect.gen(function*() {
    const fail = (problem: string) => new MalformedFile({ file, problem })
    if (bytes.length < 4) return yield* fail(`truncated: ${bytes.length} bytes, shorter than the 4-byte IDX magic`)
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const magic = view.getUint32(0, false)
    const expectedMagic = (UNSIGNED_BYTE << 8) | expectedRank
    if (magic !== expectedMagic) {
      return yield* fail(
        `wrong magic 0x${magic.toString(16).padStart(8, "0")}, expected 0x${
          expectedMagic.toString(16).padStart(8, "0")
        } (unsigned bytes, ${expectedRank} dimension${expectedRank === 1 ? "" : "s"})`
      )
    }
    const headerLength = 4 + 4 * expectedRank
    if (bytes.length < headerLength) {
      return yield* fail(`truncated header: ${bytes.length} bytes, expected at least ${headerLength}`)
    }
    const dimensions: Array<number> = []
    for (let d = 0; d < expectedRank; d++) dimensions.push(view.getUint32(4 + 4 * d, false))
    const size = dimensions.reduce((a, b) => a * b, 1)
    const actual = bytes.length - headerLength
    if (actual !== size) {
      return yield* fail(
        `${actual < size ? "truncated" : "trailing bytes"}: header declares ${
          dimensions.join("x")
        } = ${size} data bytes, file has ${actual}`
      )
    }
    return { dimensions, data: bytes.subarray(headerLength) }
  })
