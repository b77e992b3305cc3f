// Compose the stages without the pipeline package: your own split of MNIST, GELU units with He initialisation.
import { TensorBackend } from "@rectifier/backend"
import { Rng } from "@rectifier/core"
import { Dataset, slice, type SplitDataset } from "@rectifier/datasets"
import { SparsityAnalysis, Trainer, type TrainingConfig } from "@rectifier/train"
import { Console, Effect, Layer } from "effect"

// MNIST ships with @rectifier/datasets; keep 2,000 training images, validate on the next 500.
const mySplit = Effect.gen(function*() {
  const mnist = yield* Dataset
  const split: SplitDataset = {
    ...mnist,
    train: slice(mnist.train, 0, 2000),
    validation: slice(mnist.train, 2000, 2500),
    test: slice(mnist.test, 0, 1000)
  }
  return split
}).pipe(Effect.provide(Dataset.layer({ name: "mnist", offline: true })))

const config: TrainingConfig = {
  hiddenLayers: [200, 200],
  activation: "gelu",
  initializer: "he-normal",
  learningRate: 0.05,
  batchSize: 20,
  epochs: 3,
  l1Penalty: 0,
  evaluationBatchSize: 500,
  diagnosticExamples: 0
}

const program = Effect.gen(function*() {
  const split = yield* mySplit
  const stages = Layer.mergeAll(Trainer.layer, SparsityAnalysis.layer).pipe(
    Layer.provideMerge(Layer.mergeAll(Dataset.fromSplit(split), Rng.layer(7), TensorBackend.layer({ backend: "wasm" })))
  )
  yield* Effect.scoped(Effect.gen(function*() {
    const result = yield* (yield* Trainer).run(config)
    const sparsity = yield* (yield* SparsityAnalysis).measure(result.model, split.test)
    yield* Console.log(`test error ${result.testError}, sparsity ${sparsity.mean}, learning rate ${result.learningRate}`)
  })).pipe(Effect.provide(stages))
})

Effect.runPromise(program)
