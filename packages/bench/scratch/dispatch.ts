import * as tf from "@tensorflow/tfjs-core"
import { TensorBackend } from "@rectifier/backend"
import { Effect, Layer } from "effect"
await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  yield* Layer.build(TensorBackend.layer({ backend: "native", threads: 1 }))
  const x = tf.zeros([100, 1000])
  const y = tf.zeros([100, 1000])
  for (const [name, f] of [["reshape", () => tf.reshape(x, [1000, 100])], ["add 100x1000", () => tf.add(x, y)], ["relu", () => tf.relu(x)]] as const) {
    for (let i = 0; i < 2000; i++) tf.dispose(f())
    const t = performance.now()
    for (let i = 0; i < 20000; i++) tf.dispose(f())
    console.log(name, ((performance.now() - t) / 20000 * 1000).toFixed(2), "µs")
  }
  // inside a tape (gradient recording)
  const v = tf.variable(tf.zeros([100, 1000]))
  const t = performance.now()
  for (let i = 0; i < 2000; i++) { const { grads, value } = tf.variableGrads(() => tf.sum(tf.reshape(v, [1000, 100])) as tf.Scalar, [v]); tf.dispose([value, ...Object.values(grads)]) }
  console.log("variableGrads(sum(reshape))", ((performance.now() - t) / 2000 * 1000).toFixed(2), "µs")
})))
