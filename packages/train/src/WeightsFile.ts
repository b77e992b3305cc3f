/**
 * The plain weights format on disk: `<base>.json` (a `WeightsManifest`)
 * beside `<base>.bin` (every array as little-endian float32, concatenated in
 * manifest order: per layer its weights, its bias, then its activation
 * parameters). Checkpoints store the model, the best model and the momentum
 * buffers this way; pre-trained stacks are saved the same way. Both files
 * are written atomically, the data first; reading checks every span and the
 * layer shapes, and fails with `WeightsFileError` naming the file.
 */
import { describeError, writeFileAtomic } from "@rectifier/core"
import { Effect, FileSystem, Schema } from "effect"
import { createHash } from "node:crypto"
import type { DenseWeights, ModelWeights } from "./ModelWeights.ts"
import { WeightsManifest } from "./ModelWeights.ts"
import { WeightsFileError } from "./TrainingError.ts"

interface Span {
  readonly offset: number
  readonly length: number
}

const reason = describeError

/** The SHA-256 of `bytes`, as lowercase hex. */
export const sha256Hex = (bytes: Uint8Array | string): string => createHash("sha256").update(bytes).digest("hex")

/** The SHA-256 digests of a weights pair's two files, as written. */
export interface WeightsDigests {
  readonly manifest: string
  readonly data: string
}

/** Whether this host stores a float32 as the files do (little-endian). */
const littleEndian = new Uint8Array(Float32Array.of(1).buffer)[3] === 0x3f

/** The manifest and the little-endian bytes of `weights`. */
export const encodeWeights = (weights: ModelWeights): { manifest: WeightsManifest; data: Uint8Array } => {
  const arrays: Array<Float32Array> = []
  let offset = 0
  const place = (array: Float32Array): Span => {
    arrays.push(array)
    const span = { offset, length: array.length }
    offset += array.length
    return span
  }
  const layers = weights.layers.map((layer) => ({
    fanIn: layer.fanIn,
    fanOut: layer.fanOut,
    weights: place(layer.weights),
    bias: place(layer.bias),
    activationParameters: Object.fromEntries(
      Object.entries(layer.activationParameters).map(([name, values]) => [name, place(values)])
    )
  }))
  const data = new Uint8Array(offset * 4)
  const view = new DataView(data.buffer)
  let position = 0
  for (const array of arrays) {
    if (littleEndian) {
      // The host's own bytes are the file's: one copy instead of a DataView call per value.
      data.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), position)
      position += array.byteLength
      continue
    }
    for (const value of array) {
      view.setFloat32(position, value, true)
      position += 4
    }
  }
  return { manifest: { format: "rectifier-weights/1", layers }, data }
}

/** Rebuilds weights from a manifest and its data bytes (copied), checking every span and the layer shapes. */
export const decodeWeights = (
  manifest: WeightsManifest,
  data: Uint8Array,
  files: { readonly manifest: string; readonly data: string }
): Effect.Effect<ModelWeights, WeightsFileError> =>
  Effect.gen(function*() {
    if (data.byteLength % 4 !== 0) {
      return yield* new WeightsFileError({ file: files.data, problem: `holds ${data.byteLength} bytes, not a whole number of float32 values` })
    }
    const total = data.byteLength / 4
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
    const read = (span: Span, field: string, expected: number) => {
      if (span.length !== expected) {
        return Effect.fail(new WeightsFileError({ file: files.manifest, problem: `${field} has length ${span.length}, expected ${expected}` }))
      }
      if (span.offset < 0 || span.offset + span.length > total) {
        return Effect.fail(
          new WeightsFileError({
            file: files.manifest,
            problem: `${field} spans [${span.offset}, ${span.offset + span.length}) but ${files.data} holds ${total} values`
          })
        )
      }
      const out = new Float32Array(span.length)
      for (let i = 0; i < span.length; i++) out[i] = view.getFloat32((span.offset + i) * 4, true)
      return Effect.succeed(out)
    }
    const layers: Array<DenseWeights> = []
    for (const [index, layer] of manifest.layers.entries()) {
      const at = `layers[${index}]`
      if (layer.fanIn < 1 || layer.fanOut < 1) {
        return yield* new WeightsFileError({ file: files.manifest, problem: `${at} has fanIn ${layer.fanIn} and fanOut ${layer.fanOut}; both must be positive` })
      }
      const previous = layers[index - 1]
      if (previous !== undefined && previous.fanOut !== layer.fanIn) {
        return yield* new WeightsFileError({
          file: files.manifest,
          problem: `${at}.fanIn is ${layer.fanIn} but the layer below has fanOut ${previous.fanOut}`
        })
      }
      const weights = yield* read(layer.weights, `${at}.weights`, layer.fanIn * layer.fanOut)
      const bias = yield* read(layer.bias, `${at}.bias`, layer.fanOut)
      const activationParameters: Record<string, Float32Array> = {}
      for (const [name, span] of Object.entries(layer.activationParameters)) {
        activationParameters[name] = yield* read(span, `${at}.activationParameters.${name}`, span.length)
      }
      layers.push({ fanIn: layer.fanIn, fanOut: layer.fanOut, weights, bias, activationParameters })
    }
    return { layers }
  })

const encodeManifest = Schema.encodeEffect(Schema.fromJsonString(WeightsManifest))
const decodeManifest = Schema.decodeUnknownEffect(Schema.fromJsonString(WeightsManifest))

/**
 * Writes `<base>.bin` then `<base>.json`, each atomically: a manifest never
 * points at older data. Returns the SHA-256 of each file as written, for a
 * caller that binds the files to a record (checkpoints do).
 */
export const writeWeights = (base: string, weights: ModelWeights) =>
  Effect.gen(function*() {
    const { data, manifest } = encodeWeights(weights)
    const files = { manifest: `${base}.json`, data: `${base}.bin` }
    const manifestText = yield* Effect.orDie(encodeManifest(manifest))
    yield* writeFileAtomic(files.data, data).pipe(
      Effect.mapError((error) => new WeightsFileError({ file: files.data, problem: `cannot be written (${reason(error)})` }))
    )
    yield* writeFileAtomic(files.manifest, manifestText).pipe(
      Effect.mapError((error) => new WeightsFileError({ file: files.manifest, problem: `cannot be written (${reason(error)})` }))
    )
    const digests: WeightsDigests = { manifest: sha256Hex(manifestText), data: sha256Hex(data) }
    return digests
  })

/**
 * Reads the weights written by `writeWeights(base, …)`. With `expected`, each
 * file's SHA-256 must match first: a file changed after it was written
 * (even by a same-length edit) fails with `WeightsFileError` naming it.
 */
export const readWeights = (
  base: string,
  expected?: WeightsDigests
): Effect.Effect<ModelWeights, WeightsFileError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const files = { manifest: `${base}.json`, data: `${base}.bin` }
    const text = yield* fs.readFileString(files.manifest).pipe(
      Effect.mapError((error) => new WeightsFileError({ file: files.manifest, problem: `cannot be read (${reason(error)})` }))
    )
    const manifest = yield* decodeManifest(text).pipe(
      Effect.mapError((error) =>
        new WeightsFileError({ file: files.manifest, problem: `is not a rectifier-weights/1 manifest: ${error.message}` })
      )
    )
    const data = yield* fs.readFile(files.data).pipe(
      Effect.mapError((error) => new WeightsFileError({ file: files.data, problem: `cannot be read (${reason(error)})` }))
    )
    if (expected !== undefined) {
      for (const [file, found, wanted] of [[files.manifest, sha256Hex(text), expected.manifest], [files.data, sha256Hex(data), expected.data]] as const) {
        if (found !== wanted) {
          return yield* new WeightsFileError({
            file,
            problem: `has SHA-256 ${found}, but ${wanted} was recorded when it was written: the file was changed since`
          })
        }
      }
    }
    return yield* decodeWeights(manifest, data, files)
  })
