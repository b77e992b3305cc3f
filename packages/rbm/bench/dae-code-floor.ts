/**
 * Experiment: how much of an upper auto-encoder layer's reconstruction error
 * a sign-alternating code makes unavoidable when the decoder ignores its
 * signs (`codeSigns` "ignored", every record before 2026-12-02). A softplus
 * output is >= 0, so each negated code x costs at least x^2: the floor is the
 * mean, over the layer's monitored training examples (the first
 * `monitorSize`), of the squares of the negated codes of the layer below.
 * Prints it beside the reconstruction error the run recorded for the layer.
 *
 *   pnpm exec node packages/rbm/bench/dae-code-floor.ts <run folder> [--examples 1000]
 */
import { NodeServices } from "@effect/platform-node"
import { loadMnist } from "@rectifier/datasets"
import { readWeights } from "@rectifier/train"
import { Effect, FileSystem, Schema } from "effect"
import { join } from "node:path"
import { parseArgs } from "node:util"

const { positionals, values: flags } = parseArgs({
  allowPositionals: true,
  options: { examples: { type: "string", default: "1000" } }
})
const folder = positionals[0]
if (folder === undefined) {
  console.error("usage: dae-code-floor.ts <run folder with pretrained/weights.*> [--examples 1000]")
  process.exit(2)
}

const Curves = Schema.Struct({
  activation: Schema.String,
  layers: Schema.Array(Schema.Struct({ curve: Schema.Array(Schema.Struct({ reconstructionError: Schema.Number })) }))
})

const main = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const curves = yield* Schema.decodeUnknownEffect(Schema.fromJsonString(Curves))(
    yield* fs.readFileString(join(folder, "pretrained", "curves.json"))
  )
  if (curves.activation !== "rectifier-alternating") {
    return yield* Effect.fail(`${folder}: the stack's activation is ${curves.activation}; only rectifier-alternating codes have a negated half`)
  }
  const weights = yield* readWeights(join(folder, "pretrained", "weights"))
  const count = Number(flags.examples)
  const mnist = yield* loadMnist({ trainSize: count })
  let rows = Float64Array.from(mnist.train.inputs)
  let width = mnist.train.features
  console.log("| layer | its input's negated codes: mean sum of squares (the floor) | recorded reconstruction error, last epoch | floor / recorded |")
  console.log("| --- | --- | --- | --- |")
  for (const [index, layer] of weights.layers.entries()) {
    if (index > 0) {
      let squares = 0
      for (let i = 0; i < rows.length; i++) if (rows[i]! < 0) squares += rows[i]! * rows[i]!
      const floor = squares / count
      const recorded = curves.layers[index]!.curve.at(-1)!.reconstructionError
      console.log(`| ${index + 1} | ${floor.toFixed(2)} | ${recorded.toFixed(2)} | ${(floor / recorded).toFixed(2)} |`)
    }
    // The layer's codes: s_j max(0, x W + b)_j with s_j = +1 on even units, -1 on odd ones ([fanIn, fanOut] row-major weights).
    const next = new Float64Array(count * layer.fanOut)
    for (let r = 0; r < count; r++) {
      const out = next.subarray(r * layer.fanOut, (r + 1) * layer.fanOut)
      out.set(layer.bias)
      for (let k = 0; k < width; k++) {
        const x = rows[r * width + k]!
        if (x === 0) continue
        const w = layer.weights.subarray(k * layer.fanOut, (k + 1) * layer.fanOut)
        for (let j = 0; j < layer.fanOut; j++) out[j]! += x * w[j]!
      }
      for (let j = 0; j < layer.fanOut; j++) out[j] = Math.max(0, out[j]!) * (j % 2 === 0 ? 1 : -1)
    }
    rows = next
    width = layer.fanOut
  }
})

Effect.runPromise(main.pipe(Effect.provide(NodeServices.layer))).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
