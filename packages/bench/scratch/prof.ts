import * as tf from "@tensorflow/tfjs-core"
import { TensorBackend } from "@rectifier/backend"
import { Effect, Layer } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makeTrainee, trainStep } from "../src/TrainStep.ts"
import { classes, layerSizes, readFloats, writeWorkload } from "../src/Workload.ts"

const batch = Number(process.argv[2] ?? 500)
const steps = Number(process.argv[3] ?? 20)
const dir = mkdtempSync(join(tmpdir(), "prof-"))
const NB = Number(process.argv[4] ?? 4)
writeWorkload(dir, 1, batch, NB)
await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  yield* Layer.build(TensorBackend.layer({ backend: "native", threads: 1 }))
  const weights = layerSizes.slice(0, -1).map((_, i) => readFloats(join(dir, `w${i}.f32`)))
  const biases = layerSizes.slice(0, -1).map((_, i) => readFloats(join(dir, `b${i}.f32`)))
  const mlp = makeTrainee(weights, biases, layerSizes)
  const xs = readFloats(join(dir, `x-${batch}.f32`)); const ys = readFloats(join(dir, `y-${batch}.f32`))
  const X = Array.from({length: NB}, (_, i) => tf.tensor2d(xs.slice(i*batch * 784, (i+1)*batch*784), [batch, 784])); const Y = Array.from({length: NB}, (_, i) => tf.tensor2d(ys.slice(i*batch * classes, (i+1)*batch*classes), [batch, classes]))
  let c = 0; const x0 = () => X[c % NB]!; const y0 = () => Y[(c++) % NB]!
  for (let s = 0; s < 5; s++) trainStep(mlp, x0(), y0(), 0.01)
  let t = performance.now()
  for (let s = 0; s < steps; s++) trainStep(mlp, x0(), y0(), 0.01)
  const plain = (performance.now() - t) / steps
  const agg = new Map<string, { n: number; ms: number }>()
  const info = yield* Effect.promise(() => tf.profile(() => { for (let s = 0; s < steps; s++) trainStep(mlp, x0(), y0(), 0.01) }))
  for (const k of info.kernels) { const e = agg.get(k.name) ?? { n: 0, ms: 0 }; e.n++; e.ms += Number(k.kernelTimeMs); agg.set(k.name, e) }
  const rows = [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms)
  let total = 0
  for (const [name, e] of rows) { total += e.ms; console.log(name.padEnd(28), (e.n / steps).toFixed(1).padStart(6), (e.ms / steps).toFixed(3).padStart(9)) }
  console.log(`kernels/step ${(info.kernels.length / steps).toFixed(0)}  kernel ms/step ${(total / steps).toFixed(2)}  plain ms/step ${plain.toFixed(2)} samples/s ${(batch * 1000 / plain).toFixed(0)}`)
})))
