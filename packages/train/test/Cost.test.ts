/**
 * The cost as Model.ts writes it (the softmax NLL and the L1 term each one op with its gradient
 * written out) against tfjs's own: `losses.softmaxCrossEntropy` and the autodiff of the sum of
 * each layer's sum(abs(h)), bit for bit, on every backend here, through the whole cost of a
 * sign-alternating rectifier net, whose hidden units hold exact zeros (where tfjs's abs' is -1)
 * and negatives; and the kernels each saves.
 */
import { assert, describe, it } from "@effect/vitest"
import { family } from "@rectifier/activations"
import { type BackendChoice, TensorBackend } from "@rectifier/backend"
import { addonBuilt } from "@rectifier/backend-native"
import { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { Effect, Layer } from "effect"
import { Mlp, modelCost } from "../src/index.ts"

const shape = { inputs: 20, hiddenLayers: [16, 16, 16], classes: 4 }
const batch = 6
const l1 = 0.001

/** The cost as first written: tfjs's softmax cross-entropy, and tfjs differentiates each layer's sum(abs(h)) itself. */
const autodiffCost = (model: Mlp, x: tf.Tensor2D, y: tf.Tensor2D, context: { training: boolean; noise: RandomStream }, l1 = 0.001) => {
  const { hidden, logits } = model.forward(x, context)
  const nll = tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.MEAN)
  if (l1 === 0) return nll as tf.Scalar
  let penalty: tf.Tensor = tf.scalar(0)
  for (const h of hidden) penalty = tf.add(penalty, tf.sum(tf.abs(h)))
  return tf.add(nll, tf.mul(tf.scalar(l1 / batch), penalty)) as tf.Scalar
}

const gradientsOf = (backend: BackendChoice) =>
  Effect.scoped(Effect.gen(function*() {
    yield* Layer.build(TensorBackend.layer({ backend }))
    const stream = RandomStream.derive(3, "train/l1-penalty")
    const model = Mlp.initialize(shape, family["rectifier-alternating"], "glorot-uniform", stream, undefined)
    const x = tf.tensor2d(stream.fillUniform(new Float32Array(batch * shape.inputs), -1, 1), [batch, shape.inputs])
    const targets = new Float32Array(batch * shape.classes)
    for (let r = 0; r < batch; r++) targets[r * shape.classes + (r % shape.classes)] = 1
    const y = tf.tensor2d(targets, [batch, shape.classes])
    const context = () => ({ training: true, noise: RandomStream.derive(4, "train/l1-penalty-noise") })
    const run = (cost: () => tf.Scalar) => {
      const { grads, value } = tf.variableGrads(cost)
      const values = Object.keys(grads).sort().map((name) => grads[name]!.dataSync() as Float32Array)
      const loss = value.dataSync()[0]!
      tf.dispose([...Object.values(grads), value])
      return { values, loss }
    }
    const written = { ...run(() => modelCost(model, x, y, l1, context())), nllValues: run(() => modelCost(model, x, y, 0, context())).values }
    const reference = { ...run(() => autodiffCost(model, x, y, context())), nllValues: run(() => autodiffCost(model, x, y, context(), 0)).values }
    const zeros = model.forward(x, context()).hidden.reduce((n, h) => n + (h.dataSync() as Float32Array).filter((v) => v === 0).length, 0)
    model.dispose()
    tf.dispose([x, y])
    return { written, reference, zeros }
  }))

const identical = (a: ReadonlyArray<Float32Array>, b: ReadonlyArray<Float32Array>) =>
  a.length === b.length && a.every((w, i) => Buffer.from(w.buffer).equals(Buffer.from(b[i]!.buffer)))

describe("the cost's gradient", () => {
  for (const backend of ["cpu", "wasm", ...(addonBuilt() ? ["native" as const] : [])] as const) {
    it.live(`is tfjs's softmax cross-entropy and autodiff of sum(abs(h)), bit for bit, on ${backend}`, () =>
      Effect.gen(function*() {
        const { reference, written, zeros } = yield* gradientsOf(backend)
        assert.isAbove(zeros, 0, "the rectifiers' exact zeros, where abs' is taken as -1, are exercised")
        assert.strictEqual(written.loss, reference.loss)
        assert.strictEqual(written.values.length, 8)
        assert.isTrue(identical(written.nllValues, reference.nllValues), "the NLL alone")
        assert.isTrue(identical(written.values, reference.values))
      }))
  }

  it.live("dispatches 13 kernels fewer a step than tfjs's for the NLL, and at most 28 for three layers' L1 term", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* Layer.build(TensorBackend.layer({ backend: "cpu" }))
      const stream = RandomStream.derive(5, "train/l1-kernels")
      const model = Mlp.initialize(shape, family["rectifier-alternating"], "glorot-uniform", stream, undefined)
      const x = tf.tensor2d(stream.fillUniform(new Float32Array(batch * shape.inputs), -1, 1), [batch, shape.inputs])
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1], "int32"), shape.classes).toFloat() as tf.Tensor2D
      const context = { training: true, noise: stream }
      const kernels = (cost: () => tf.Scalar) =>
        Effect.promise(async () => (await tf.profile(() => tf.dispose(Object.values(tf.variableGrads(cost).grads)))).kernels.length)
      const none = yield* kernels(() => modelCost(model, x, y, 0, context))
      const written = yield* kernels(() => modelCost(model, x, y, l1, context))
      const autodiff = yield* kernels(() => autodiffCost(model, x, y, context))
      const tfjsNll = yield* kernels(() => autodiffCost(model, x, y, context, 0))
      assert.isAtMost(none, tfjsNll - 13, `the NLL's kernels against tfjs's (${none}, ${tfjsNll})`)
      assert.isAtMost(written - none, 28, `the L1 term's kernels (${written} - ${none})`)
      assert.isBelow(written, autodiff)
      model.dispose()
      tf.dispose([x, y])
    })))
})
