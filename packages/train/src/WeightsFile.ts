/**
 * Saving and loading weights in the plain format: a JSON manifest
 * (`WeightsManifest`) beside one little-endian float32 data file. Checkpoints
 * store both the model and the optimiser's momentum buffers this way.
 */
import { Effect, FileSystem, Path, Schema } from "effect"
import { writeFileAtomic } from "@rectifier/core"
import type { ModelWeights } from "./ModelWeights.ts"
import { WeightsManifest } from "./ModelWeights.ts"
import { CheckpointUnreadable } from "./TrainingError.ts"

/** The manifest and data bytes of `weights`. */
export const encodeWeights = (weights: ModelWeights): { manifest: WeightsManifest; data: Uint8Array } => {
  let offset = 0
  const chunks: Array<Float32Array> = []
  const place = (values: Float32Array) => {
    const entry = { offset, length: values.length }
    chunks.push(values)
    offset += values.length
    return entry
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
  const all = new Float32Array(offset)
  let at = 0
  for (const chunk of chunks) {
    all.set(chunk, at)
    at += chunk.length
  }
  return { manifest: { format: "rectifier-weights/1", layers }, data: new Uint8Array(all.buffer) }
}

/** Weights from a manifest and its data bytes (copied, so the result owns its memory). */
export const decodeWeights = (manifest: WeightsManifest, data: Uint8Array): ModelWeights => {
  const floats = new Float32Array(data.slice().buffer, 0, Math.floor(data.byteLength / 4))
  const take = (entry: { offset: number; length: number }) => floats.slice(entry.offset, entry.offset + entry.length)
  return {
    layers: manifest.layers.map((layer) => ({
      fanIn: layer.fanIn,
      fanOut: layer.fanOut,
      weights: take(layer.weights),
      bias: take(layer.bias),
      activationParameters: Object.fromEntries(
        Object.entries(layer.activationParameters).map(([name, entry]) => [name, take(entry)])
      )
    }))
  }
}

const encodeManifest = Schema.encodeEffect(Schema.fromJsonString(WeightsManifest))
const decodeManifest = Schema.decodeUnknownEffect(Schema.fromJsonString(WeightsManifest))

/** Writes `<base>.json` and `<base>.bin` atomically (the data first, the manifest last). */
export const writeWeights = (base: string, weights: ModelWeights) =>
  Effect.gen(function*() {
    const { data, manifest } = encodeWeights(weights)
    yield* writeFileAtomic(`${base}.bin`, data)
    yield* writeFileAtomic(`${base}.json`, yield* Effect.orDie(encodeManifest(manifest)))
  })

/** Reads weights written by `writeWeights`, checking that the data file holds what the manifest says. */
export const readWeights = (base: string): Effect.Effect<ModelWeights, CheckpointUnreadable, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fail = (file: string) => (error: { readonly message: string }) =>
      new CheckpointUnreadable({ path: file, problem: error.message })
    const manifest = yield* fs.readFileString(`${base}.json`).pipe(
      Effect.mapError(fail(`${base}.json`)),
      Effect.flatMap((text) => decodeManifest(text).pipe(Effect.mapError(fail(`${base}.json`))))
    )
    const data = yield* fs.readFile(`${base}.bin`).pipe(Effect.mapError(fail(`${base}.bin`)))
    const needed = manifest.layers.reduce((most, layer) =>
      Math.max(
        most,
        layer.weights.offset + layer.weights.length,
        layer.bias.offset + layer.bias.length,
        ...Object.values(layer.activationParameters).map((e) => e.offset + e.length)
      ), 0)
    if (data.byteLength < needed * 4) {
      return yield* new CheckpointUnreadable({
        path: `${base}.bin`,
        problem: `holds ${data.byteLength} bytes, the manifest needs ${needed * 4}`
      })
    }
    return decodeWeights(manifest, data)
  })
