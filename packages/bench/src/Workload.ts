/**
 * The benchmark's fixed workload: the paper's 784-1000-1000-1000-10 MLP, its
 * initial weights (fresh, or a trained run's) and its hidden layers'
 * activation, and a pool of input minibatches (drawn from the run's seeded
 * streams, or MNIST's first training images, whose pixels are mostly exact
 * zeros), written to raw float32 files (and `model.json`) so that every
 * backend and PyTorch train the same model on the same data.
 */
import { initializeWeights } from "@rectifier/activations"
import { RandomStream } from "@rectifier/core"
import type { ModelWeights } from "@rectifier/train"
import { Schema } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

export const layerSizes: ReadonlyArray<number> = [784, 1000, 1000, 1000, 10]
export const classes = 10

/**
 * The hidden layers' activations the bench's step has (on every contender): the rectifier, the
 * flagship's sign-alternating one, and Table 1's tanh and softplus (for the step of their trained nets).
 */
export const StepActivation = Schema.Literals(["rectifier", "rectifier-alternating", "tanh", "softplus"])
export type StepActivation = typeof StepActivation.Type

const ModelFile = Schema.Struct({ activation: StepActivation })
const decodeModel = Schema.decodeUnknownSync(Schema.fromJsonString(ModelFile))

/** Where the step starts: a trained net's weights (biases included) and its activation, instead of fresh Glorot weights and the rectifier. */
export interface StepStart {
  readonly weights: ModelWeights
  readonly activation: StepActivation
}

/** Labelled examples to train on instead of the uniform ones: rows of 784 pixels and their classes. */
export interface Examples {
  readonly inputs: Float32Array
  readonly labels: Uint8Array
  readonly count: number
}

export interface Workload {
  readonly dir: string
  readonly batch: number
  /** Distinct minibatches in the pool; steps cycle through them. */
  readonly batches: number
}

/**
 * Writes weights (w0..w3 as [in, out], b0..b3: `start`'s, or fresh Glorot weights and zero biases),
 * the activation (model.json) and `batches` minibatches (x, one-hot y): seeded uniform inputs and
 * labels, or the first examples of `examples` (cycled when there are fewer).
 */
export const writeWorkload = (
  dir: string,
  seed: number,
  batch: number,
  batches: number,
  examples?: Examples,
  start?: StepStart
): Workload => {
  const weights = RandomStream.derive(seed, "bench/weights")
  for (let i = 0; i < layerSizes.length - 1; i++) {
    const fanIn = layerSizes[i]!
    const fanOut = layerSizes[i + 1]!
    const trained = start?.weights.layers[i]
    writeFileSync(join(dir, `w${i}.f32`), trained?.weights ?? initializeWeights("glorot-uniform", fanIn, fanOut, weights))
    writeFileSync(join(dir, `b${i}.f32`), trained?.bias ?? new Float32Array(fanOut))
  }
  writeFileSync(join(dir, "model.json"), JSON.stringify({ activation: start?.activation ?? "rectifier" }))
  const rows = batches * batch
  const features = layerSizes[0]!
  const y = new Float32Array(rows * classes)
  let x: Float32Array
  if (examples === undefined) {
    // Inputs are uniform in [0, 1), as dense as inputs get; labels uniform over the classes.
    const data = RandomStream.derive(seed, `bench/data/${batch}`)
    x = data.fillUniform(new Float32Array(rows * features), 0, 1)
    for (let r = 0; r < rows; r++) y[r * classes + data.integer(0, classes - 1)] = 1
  } else {
    x = new Float32Array(rows * features)
    for (let r = 0; r < rows; r++) {
      const e = r % examples.count
      x.set(examples.inputs.subarray(e * features, (e + 1) * features), r * features)
      y[r * classes + examples.labels[e]!] = 1
    }
  }
  writeFileSync(join(dir, `x-${batch}.f32`), x)
  writeFileSync(join(dir, `y-${batch}.f32`), y)
  return { dir, batch, batches }
}

/** The hidden layers' activation of the workload in `dir`. */
export const readActivation = (dir: string): StepActivation => decodeModel(readFileSync(join(dir, "model.json"), "utf8")).activation

export const readFloats = (file: string): Float32Array => {
  const bytes = readFileSync(file)
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice()
}
