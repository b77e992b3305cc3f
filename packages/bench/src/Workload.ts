/**
 * The benchmark's fixed workload: the paper's 784-1000-1000-1000-10 MLP, its
 * initial weights and a pool of input minibatches, all drawn from the run's
 * seeded streams and written to raw float32 files so that every backend and
 * PyTorch train the same model on the same data.
 */
import { initializeWeights } from "@rectifier/activations"
import { RandomStream } from "@rectifier/core"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

export const layerSizes: ReadonlyArray<number> = [784, 1000, 1000, 1000, 10]
export const classes = 10

export interface Workload {
  readonly dir: string
  readonly batch: number
  /** Distinct minibatches in the pool; steps cycle through them. */
  readonly batches: number
}

/** Writes weights (w0..w3 as [in, out], b0..b3) and `batches` minibatches (x, one-hot y). */
export const writeWorkload = (dir: string, seed: number, batch: number, batches: number): Workload => {
  const weights = RandomStream.derive(seed, "bench/weights")
  for (let i = 0; i < layerSizes.length - 1; i++) {
    const fanIn = layerSizes[i]!
    const fanOut = layerSizes[i + 1]!
    writeFileSync(join(dir, `w${i}.f32`), initializeWeights("glorot-uniform", fanIn, fanOut, weights))
    writeFileSync(join(dir, `b${i}.f32`), new Float32Array(fanOut))
  }
  // Inputs are uniform in [0, 1) like scaled pixels; labels uniform over the classes.
  const data = RandomStream.derive(seed, `bench/data/${batch}`)
  const x = data.fillUniform(new Float32Array(batches * batch * layerSizes[0]!), 0, 1)
  const y = new Float32Array(batches * batch * classes)
  for (let r = 0; r < batches * batch; r++) y[r * classes + data.integer(0, classes - 1)] = 1
  writeFileSync(join(dir, `x-${batch}.f32`), x)
  writeFileSync(join(dir, `y-${batch}.f32`), y)
  return { dir, batch, batches }
}

export const readFloats = (file: string): Float32Array => {
  const bytes = readFileSync(file)
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice()
}
