import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { type BackendName, TensorBackend } from "@rectifier/backend"
import { addonBuilt } from "@rectifier/backend-native"
import { Rng } from "@rectifier/core"
import { Dataset, loadMnist } from "@rectifier/datasets"
import { Effect, Layer } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { checkpointStore, Trainer, type TrainingConfig, type TrainingHooks } from "../src/index.ts"

const mnist = await Effect.runPromise(loadMnist({ trainSize: 1000, evaluationSize: 400 }))

const base: TrainingConfig = {
  hiddenLayers: [32, 32],
  activation: "rectifier",
  initializer: "glorot-uniform",
  learningRate: 0.05,
  batchSize: 20,
  epochs: 2,
  l1Penalty: 0.001,
  evaluationBatchSize: 200,
  diagnosticExamples: 200
}

const stages = (backend: BackendName) =>
  Trainer.layer.pipe(
    Layer.provideMerge(Layer.mergeAll(Dataset.fromSplit(mnist), Rng.layer(3), TensorBackend.layer({ backend })))
  )

const trainOnce = (overrides: Partial<TrainingConfig>, hooks: TrainingHooks = {}, backend: BackendName = "wasm") =>
  Effect.scoped(Effect.gen(function*() {
    const result = yield* (yield* Trainer).run({ ...base, ...overrides }, hooks)
    return { ...result, weights: result.model.snapshot(), model: undefined }
  })).pipe(Effect.provide(stages(backend)))

describe("the training protocol", () => {
  it.live("learning-rate selection keeps the rate with the lowest validation error and records every candidate", () =>
    Effect.gen(function*() {
      const rates = [0.5, 0.05, 0.0001]
      const selected = yield* trainOnce({ learningRates: rates })
      assert.deepStrictEqual(selected.candidates.map((c) => c.learningRate), rates)
      const lowest = Math.min(...selected.candidates.map((c) => c.validationError))
      assert.strictEqual(selected.validationError, lowest)
      const winner = selected.candidates.find((c) => c.validationError === lowest)!
      assert.strictEqual(selected.learningRate, winner.learningRate)
      // The tiny rate barely moves from the initial weights, so it cannot be the winner.
      assert.notStrictEqual(selected.learningRate, 0.0001)
      // Each candidate is exactly the single-rate run at that rate (same start, same shuffles).
      const alone = yield* trainOnce({ learningRate: selected.learningRate })
      assert.strictEqual(alone.validationError, selected.validationError)
      assert.deepStrictEqual(alone.weights, selected.weights)
    }))

  it.live("pruning stops clearly beaten candidates early, records each curve and verdict, and resumes to the same choice", () =>
    Effect.gen(function*() {
      const config = {
        learningRates: [0.05, 0.0001],
        epochs: 4,
        candidatePruning: { afterEpochs: 2, factor: 1.5 },
        diagnosticExamples: 0
      }
      const pruned = yield* trainOnce(config)
      const [good, slow] = pruned.candidates
      assert.strictEqual(good!.stop.reason, "epochs")
      assert.strictEqual(good!.curve.length, 4)
      assert.isTrue(good!.verdict.kept)
      // The tiny rate is at about chance after its first epoch: stopped there, and never kept.
      assert.include(["stalled", "beaten"], slow!.stop.reason)
      assert.isBelow(slow!.epochsRun, 4)
      assert.isFalse(slow!.verdict.kept)
      assert.include(slow!.verdict.reason, slow!.stop.detail)
      // The kept candidate is the same run as without pruning, bit for bit.
      const { candidatePruning: _pruning, ...withoutPruning } = config
      const full = yield* trainOnce(withoutPruning)
      assert.deepStrictEqual(full.weights, pruned.weights)
      assert.strictEqual(full.candidates[1]!.epochsRun, 4)
      // A run killed after the first candidate resumes from its checkpoints to the same decisions.
      const folder = mkdtempSync(join(tmpdir(), "rectifier-prune-"))
      const checkpoints = yield* checkpointStore(folder).pipe(Effect.provide(NodeServices.layer))
      yield* trainOnce({ ...config, learningRates: [0.05] }, { checkpoints })
      const resumed = yield* trainOnce(config, { checkpoints })
      // Wall times differ between the two runs; everything else is equal.
      const timeless = (candidates: typeof pruned.candidates) =>
        candidates.map((c) => ({ ...c, curve: c.curve.map((e) => ({ ...e, seconds: 0 })) }))
      assert.deepStrictEqual(timeless(resumed.candidates), timeless(pruned.candidates))
      assert.deepStrictEqual(resumed.weights, pruned.weights)
    }))

  it.live("early stopping ends a run whose validation error stops improving, keeping its best epoch", () =>
    Effect.gen(function*() {
      const result = yield* trainOnce({ learningRate: 0.0001, epochs: 6, patience: 1, diagnosticExamples: 0 })
      assert.isTrue(result.stoppedEarly)
      assert.isBelow(result.epochs.length, 6)
      assert.strictEqual(result.epochs.length, result.bestEpoch + 1)
    }))

  it.live("a divergent rate is reported with its epoch and step and loses the selection", () =>
    Effect.gen(function*() {
      const result = yield* trainOnce({ learningRates: [1e6, 0.05], epochs: 1 })
      const [wild, sane] = result.candidates
      assert.strictEqual(wild!.diverged?.epoch, 1)
      assert.isAtLeast(wild!.diverged!.step, 1)
      assert.strictEqual(wild!.bestEpoch, 0)
      assert.isUndefined(sane!.diverged)
      assert.strictEqual(result.learningRate, 0.05)
      assert.isUndefined(result.diverged)
      const alone = yield* trainOnce({ learningRate: 1e6, epochs: 1 })
      assert.strictEqual(alone.diverged?.quantity, "cost")
      // The model holds its last good weights (the initial ones), which are finite.
      assert.isTrue(alone.weights.layers.every((layer) => layer.weights.every(Number.isFinite)))
    }))

  it.live("gradient norms shrink towards the input for a deep sigmoid net, not for a deep rectifier net", () =>
    Effect.gen(function*() {
      const deep = { hiddenLayers: [64, 64, 64, 64, 64, 64], epochs: 1, l1Penalty: 0 }
      const ratio = (norms: ReadonlyArray<number>) => norms[0]! / norms[5]!
      const sigmoid = yield* trainOnce({ ...deep, activation: "sigmoid" })
      const rectifier = yield* trainOnce({ ...deep, activation: "rectifier" })
      for (const result of [sigmoid, rectifier]) {
        assert.strictEqual(result.initialDiagnostics!.gradientNorms.length, 7)
        assert.strictEqual(result.epochs[0]!.diagnostics!.gradientNorms.length, 7)
      }
      // Layer 1 against layer 6: about 1/600 for sigmoid, about 3 for the rectifier at seed 3.
      assert.isBelow(ratio(sigmoid.initialDiagnostics!.gradientNorms), 0.01)
      assert.isAbove(ratio(rectifier.initialDiagnostics!.gradientNorms), 0.5)
      assert.isBelow(ratio(sigmoid.epochs[0]!.diagnostics!.gradientNorms), 0.01)
      assert.isAbove(ratio(rectifier.epochs[0]!.diagnostics!.gradientNorms), 0.5)
    }))

  it.live("diagnostics: sparsity, dead units and histograms are consistent with the layer widths", () =>
    Effect.gen(function*() {
      const result = yield* trainOnce({ epochs: 1 })
      const diagnostics = result.epochs[0]!.diagnostics!
      assert.strictEqual(diagnostics.examples, 200)
      diagnostics.layers.forEach((layer) => {
        assert.strictEqual(layer.activeProbabilityHistogram.reduce((a, b) => a + b, 0), 32)
        assert.strictEqual(layer.activationHistogram.reduce((a, b) => a + b, 0), 32 * 200)
        assert.isAtMost(layer.deadUnits, layer.activeProbabilityHistogram[0]!)
        assert.isAbove(layer.sparsity, 0.05)
      })
      assert.isAbove(result.epochs[0]!.stepSeconds!, 0)
      const tanh = yield* trainOnce({ epochs: 1, activation: "tanh" })
      assert.deepStrictEqual(tanh.epochs[0]!.diagnostics!.layers.map((l) => l.deadUnits), [0, 0])
    }))

  it.live("per-layer activations: a net can mix neurons, and the count must match the layers", () =>
    Effect.gen(function*() {
      const mixed = yield* trainOnce({ epochs: 1, activations: ["tanh", "rectifier"] })
      const [first, second] = mixed.epochs[0]!.diagnostics!.layers
      assert.strictEqual(first!.sparsity, 0)
      assert.isAbove(second!.sparsity, 0.05)
      const error = yield* Effect.flip(trainOnce({ activations: ["tanh"] }))
      assert.strictEqual(error._tag, "TrainingConfigInvalid")
      assert.include(error.message, "activations")
    }))

  const resumes = (backend: BackendName, batchSize: number) =>
    Effect.gen(function*() {
      const folder = mkdtempSync(join(tmpdir(), "rectifier-checkpoint-"))
      const protocol = { momentum: 0.9, weightDecay: 1e-4, learningRate: 0.01, activation: { name: "rrelu" } as const, batchSize }
      const uninterrupted = yield* trainOnce({ ...protocol, epochs: 3 }, {}, backend)
      const store = yield* checkpointStore(folder)
      yield* trainOnce({ ...protocol, epochs: 1 }, { checkpoints: store }, backend)
      const resumed = yield* trainOnce({ ...protocol, epochs: 3 }, { checkpoints: store }, backend)
      assert.deepStrictEqual(resumed.weights, uninterrupted.weights)
      const strip = (epochs: typeof resumed.epochs) => epochs.map(({ epoch, testError, trainLoss, validationError }) => ({ epoch, testError, trainLoss, validationError }))
      assert.deepStrictEqual(strip(resumed.epochs), strip(uninterrupted.epochs))
    }).pipe(Effect.provide(NodeServices.layer))

  it.live("resuming from a checkpoint (momentum and weight decay included) finishes bit-identical", () => resumes("wasm", base.batchSize))

  // On native the weights and velocities are updated in place, the weight gradients folded into a gemm:
  // restored buffers must be taken over without changing that arithmetic.
  it.live.skipIf(!addonBuilt())("resuming on the native backend finishes bit-identical too", () => resumes("native", 100))

  it.live("a small conv net trains on a subset", () =>
    Effect.gen(function*() {
      const result = yield* trainOnce({
        model: { kind: "conv", channels: [4], kernelSize: 5, pool: 2 },
        hiddenLayers: [32],
        epochs: 1,
        batchSize: 10,
        diagnosticExamples: 100
      })
      assert.isBelow(result.testError, 0.5) // chance is 0.9
      assert.deepStrictEqual(result.epochs[0]!.diagnostics!.layers.length, 2)
      assert.strictEqual(result.weights.layers[0]!.fanIn, 25)
      assert.strictEqual(result.weights.layers[1]!.fanIn, 14 * 14 * 4)
    }))
})
