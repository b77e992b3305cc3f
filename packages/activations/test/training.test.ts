/**
 * Every member trains a one-hidden-layer net on 1,000 MNIST images (14×14)
 * to well under chance error (90%), and PReLU's slopes are learned.
 */
import { assert } from "@effect/vitest"
import { loadMnist } from "@rectifier/datasets"
import type { LabelledSet } from "@rectifier/datasets"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import { ActivationName, type ActivationSpec, specName } from "../src/index.ts"
import { describeSpec, onCpu } from "./Layer.ts"
import { downsample, type TinyOptions, trainTiny } from "./TinyMlp.ts"

const options: TinyOptions = { width: 32, steps: 60, batch: 32, learningRate: 0.02, initializer: "glorot-uniform", seed: 3 }
/** Every member at its defaults, plus the two variants that change the layer's shape or parameter count. */
const trained: ReadonlyArray<ActivationSpec> = [
  ...ActivationName.literals,
  { name: "prelu", shared: true },
  { name: "maxout", pieces: 3 }
]

/** Chance is 90%; a net that learned anything useful is far below this. */
const MAX_ERROR = 0.3

let data: { readonly train: LabelledSet; readonly test: LabelledSet } | undefined
const mnist = Effect.gen(function*() {
  if (data === undefined) {
    const split = yield* loadMnist({ trainSize: 1000 })
    const validation = downsample(split.validation)
    data = {
      train: downsample(split.train),
      test: { ...validation, count: 500, labels: validation.labels.subarray(0, 500) }
    }
  }
  return data
})

onCpu("each activation trains a tiny MLP", (it) => {
  for (const spec of trained) {
    it.effect(describeSpec(spec), () =>
      Effect.gen(function*() {
        const { test, train } = yield* mnist
        const before = tf.memory().numTensors
        const started = performance.now()
        const result = trainTiny(spec, train, test, {
          ...options,
          initializer: specName(spec) === "selu" ? "lecun-normal" : options.initializer
        })
        console.log(`${describeSpec(spec)}: test error ${(100 * result.testError).toFixed(1)}% in ${(performance.now() - started).toFixed(0)} ms`)
        assert.isBelow(result.testError, MAX_ERROR)
        if (specName(spec) === "prelu") assert.isAbove(result.parameterChange, 1e-3, "the PReLU slopes were not updated")
        assert.strictEqual(tf.memory().numTensors, before, "tensors leaked")
      }))
  }
})
