/**
 * Experiment: pre-train a 784-500 binary RBM on MNIST with the practical
 * guide's settings (Hinton & Salakhutdinov's: CD-1, learning rate 0.1,
 * batch 100, momentum 0.5 for 5 epochs then 0.9, weight cost 2e-4) through
 * the Pretrainer service, and print the per-epoch monitoring as a table.
 *
 *   pnpm exec node packages/rbm/bench/mnist-rbm.ts [--epochs 5] [--train-size 50000]
 *     [--hidden 500] [--backend auto] [--seed 1] [--save folder]
 */
import { NodeServices } from "@effect/platform-node"
import { type BackendChoice, TensorBackend } from "@rectifier/backend"
import { Rng } from "@rectifier/core"
import { loadMnist } from "@rectifier/datasets"
import { writeWeights } from "@rectifier/train"
import { parseArgs } from "node:util"
import { Effect, Layer } from "effect"
import { Pretrainer } from "../src/index.ts"

const { values: flags } = parseArgs({
  options: {
    epochs: { type: "string", default: "5" },
    "train-size": { type: "string", default: "50000" },
    hidden: { type: "string", default: "500" },
    backend: { type: "string", default: "auto" },
    seed: { type: "string", default: "1" },
    save: { type: "string" }
  }
})

const main = Effect.gen(function*() {
  const mnist = yield* loadMnist({ trainSize: Number(flags["train-size"]) })
  const backend = yield* TensorBackend.useSync((b) => b.info)
  const pretrainer = yield* Pretrainer
  const result = yield* pretrainer.pretrain(
    { kind: "rbm", hiddenSizes: [Number(flags.hidden)], epochs: Number(flags.epochs) },
    { train: mnist.train, validation: mnist.validation }
  )
  const layer = result.layers[0]!
  console.log(`\n784-${flags.hidden} RBM, ${mnist.train.count} MNIST training examples, seed ${flags.seed}, backend ${backend.name}`)
  console.log("| epoch | momentum | reconstruction error (sum of squares per image) | free energy train | free energy validation | seconds |")
  console.log("|---|---|---|---|---|---|")
  if (layer.kind === "rbm") {
    for (const e of layer.curve) {
      console.log(
        `| ${e.epoch} | ${e.momentum} | ${e.reconstructionError.toFixed(3)} | ${e.freeEnergyTrain?.toFixed(2)} | ` +
          `${e.freeEnergyValidation?.toFixed(2)} | ${e.seconds.toFixed(1)} |`
      )
    }
  }
  if (flags.save !== undefined) {
    yield* writeWeights(`${flags.save}/weights`, result.weights)
    console.log(`weights saved in ${flags.save} (weights.json, weights.bin)`)
  }
})

const layers = Pretrainer.layer.pipe(
  Layer.provideMerge(Layer.mergeAll(TensorBackend.layer({ backend: flags.backend as BackendChoice }), Rng.layer(Number(flags.seed)))),
  Layer.provideMerge(NodeServices.layer)
)

Effect.runPromise(Effect.scoped(main.pipe(Effect.provide(layers)))).catch((error) => {
  console.error(error)
  process.exit(1)
})
