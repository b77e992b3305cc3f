import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { TensorBackend } from "@rectifier/backend"
import { RandomStream, Rng } from "@rectifier/core"
import { loadMnist } from "@rectifier/datasets"
import { Effect, Exit, FileSystem, Layer } from "effect"
import { encodeWeights, readWeights, writeWeights } from "@rectifier/train"
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { encodeRows, layerStore, type LayerStore, Pretrainer, type PretrainConfigInput, type PretrainResult, sliceRows } from "../src/index.ts"

/** Runs `body` with a fresh Pretrainer on the cpu backend and a run seeded with `seed`. */
const withPretrainer = <A, E>(seed: number, body: Effect.Effect<A, E, Pretrainer>) =>
  Effect.scoped(Effect.provide(
    body,
    Pretrainer.layer.pipe(Layer.provide(Layer.mergeAll(TensorBackend.layer({ backend: "cpu" }), Rng.layer(seed))))
  ))

const rbmConfig: PretrainConfigInput = { kind: "rbm", hiddenSizes: [24, 12], epochs: 2, batchSize: 20, monitorSize: 100 }
const daeConfig: PretrainConfigInput = { kind: "dae", hiddenSizes: [16, 8], epochs: 1, activation: "rectifier-alternating" }

/** MNIST is read (and its checksums verified) once for the whole file. */
let mnistOnce: ReturnType<typeof loadMnist> | undefined

const pretrainMnist = (seed: number, config: PretrainConfigInput, store?: LayerStore) =>
  Effect.gen(function*() {
    mnistOnce ??= yield* Effect.cached(loadMnist({ trainSize: 200 }))
    const mnist = yield* mnistOnce
    return yield* withPretrainer(seed, Pretrainer.use((p) =>
      p.pretrain(config, { train: mnist.train, validation: sliceRows(mnist.validation, 0, 100) }, store)
    ))
  })

const bytes = (result: { readonly weights: Parameters<typeof encodeWeights>[0] }) => encodeWeights(result.weights).data

describe("Pretrainer", () => {
  it.live("dae: each layer selects its learning rate by the lowest validation reconstruction error", () =>
    Effect.gen(function*() {
      const grid = [0.1, 0.01, 0.0001]
      const selected = yield* pretrainMnist(5, { ...daeConfig, epochs: 2, learningRates: grid })
      const chosen: Array<number> = []
      for (const layer of selected.layers) {
        assert.strictEqual(layer.kind, "dae")
        if (layer.kind !== "dae") continue
        const candidates = layer.candidates!
        assert.deepStrictEqual(candidates.map((c) => c.learningRate), grid)
        const errors = candidates.map((c) => c.validationReconstructionError ?? Infinity)
        const kept = candidates.find((c) => c.kept)!
        assert.strictEqual(kept.validationReconstructionError, Math.min(...errors))
        assert.strictEqual(layer.learningRate, kept.learningRate)
        assert.strictEqual(candidates.filter((c) => c.kept).length, 1)
        chosen.push(kept.learningRate)
      }
      // The kept layers are exactly a stack trained with those rates fixed (same start, same streams).
      const fixed = yield* pretrainMnist(5, { ...daeConfig, epochs: 2, layerLearningRates: chosen })
      assert.deepStrictEqual(bytes(fixed), bytes(selected))
      assert.isTrue(fixed.layers.every((layer) => layer.kind === "dae" && layer.candidates === undefined))
    }))

  for (const config of [rbmConfig, daeConfig]) {
    it.live(`${config.kind}: a stack on MNIST is reproducible from the seed`, () =>
      Effect.gen(function*() {
        const first = yield* pretrainMnist(5, config)
        const again = yield* pretrainMnist(5, config)
        const other = yield* pretrainMnist(6, config)
        assert.deepStrictEqual(first.weights.layers.map((l) => [l.fanIn, l.fanOut]), [[784, config.hiddenSizes[0]], [config.hiddenSizes[0], config.hiddenSizes[1]]])
        assert.deepStrictEqual(bytes(again), bytes(first))
        assert.notDeepEqual(bytes(other), bytes(first))
        assert.strictEqual(first.layers.length, 2)
        for (const layer of first.layers) assert.strictEqual(layer.curve.length, config.epochs)
        assert.strictEqual(first.activation, config.kind === "rbm" ? "sigmoid" : "rectifier-alternating")
        const [bottom, top] = first.layers
        if (bottom!.kind === "rbm" && top!.kind === "rbm") {
          const epoch = bottom.curve[1]!
          assert.isNumber(epoch.freeEnergyTrain)
          assert.isNumber(epoch.freeEnergyValidation)
          // 24 hidden units exceed the enumeration limit; the 12-unit layer above is enumerated.
          assert.isUndefined(epoch.logLikelihoodTrain)
          assert.isNumber(top.curve[1]!.logLikelihoodTrain)
        }
      }), 60_000)
  }

  // Three layers each: an RBM stack, and auto-encoders with untied weights choosing among learning rates.
  const resumable: ReadonlyArray<PretrainConfigInput> = [
    { ...rbmConfig, hiddenSizes: [24, 12, 8] },
    { ...daeConfig, hiddenSizes: [16, 12, 8], epochs: 2, learningRates: [0.1, 0.01], tiedWeights: false }
  ]
  for (const config of resumable) {
    it.live(`${config.kind}: a stack resumed from its first finished layers is the uninterrupted one, those layers untrained`, () =>
      Effect.gen(function*() {
        const provenance = { configHash: "run-config-hash", source: "config.json" }
        const complete = mkdtempSync(join(tmpdir(), "rectifier-layers-"))
        const uninterrupted = yield* pretrainMnist(5, config, yield* layerStore(complete, provenance))
        const untimed = (result: PretrainResult) => result.layers.map((layer) => layer.curve.map(({ seconds: _, ...rest }) => rest))
        for (const finished of [1, 2]) {
          // As a run killed after `finished` layers leaves its store.
          const partial = mkdtempSync(join(tmpdir(), "rectifier-layers-"))
          for (let n = 1; n <= finished; n++) cpSync(join(complete, `layer-${n}`), join(partial, `layer-${n}`), { recursive: true })
          const resumed = yield* pretrainMnist(5, config, yield* layerStore(partial, provenance))
          assert.deepStrictEqual(bytes(resumed), bytes(uninterrupted), `after ${finished} layer(s)`)
          assert.deepStrictEqual(untimed(resumed), untimed(uninterrupted))
          assert.deepStrictEqual(resumed.layers.map((l) => l.kind === "dae" ? l.candidates : undefined),
            uninterrupted.layers.map((l) => l.kind === "dae" ? l.candidates : undefined))
          // The finished layers were taken, not trained again: their recorded timings are the first run's.
          for (let n = 0; n < finished; n++) {
            assert.deepStrictEqual(resumed.layers[n]!.curve.map((e) => e.seconds), uninterrupted.layers[n]!.curve.map((e) => e.seconds))
          }
          assert.strictEqual((yield* (yield* layerStore(partial, provenance)).load).length, 3, "the new layers were kept too")
        }
        // Bound to the run: another configuration's layers, or a changed parameters file, are refused, naming the file.
        const mismatch = yield* Effect.flip((yield* layerStore(complete, { ...provenance, configHash: "edited" })).load)
        assert.strictEqual(mismatch._tag, "CheckpointMismatch")
        assert.include(mismatch.message, join(complete, "layer-1", "state.json"))
        const data = join(complete, "layer-2", "parameters.bin")
        const edited = readFileSync(data)
        edited[40] = edited[40]! ^ 0x10
        writeFileSync(data, edited)
        const changed = yield* Effect.flip((yield* layerStore(complete, provenance)).load)
        assert.strictEqual(changed._tag, "CheckpointUnreadable")
        assert.include(changed.message, data)
      }).pipe(Effect.provide(NodeServices.layer)), 120_000)
  }

  it.live("an upper tanh layer reconstructs codes in [-1, 1] with a bounded cross-entropy", () =>
    Effect.gen(function*() {
      const result = yield* pretrainMnist(5, { kind: "dae", hiddenSizes: [16, 8], epochs: 3, activation: "tanh", learningRate: 0.03 })
      const top = result.layers[1]!
      assert.strictEqual(top.kind, "dae")
      if (top.kind === "dae") {
        assert.strictEqual(top.dae.inputRange, "symmetric")
        assert.strictEqual(top.dae.output, "sigmoid-cross-entropy")
        // Cross-entropy of targets in [0, 1] is at least 0 (it would fall without bound on raw tanh codes).
        for (const epoch of top.curve) assert.isAbove(epoch.reconstructionError, 0)
        assert.isBelow(top.curve[2]!.reconstructionError, top.curve[0]!.reconstructionError)
      }
    }), 60_000)

  it.live("an upper layer over sign-alternating codes reconstructs their negated half only when it matches their signs", () =>
    Effect.gen(function*() {
      const config = { kind: "dae", hiddenSizes: [32, 16], epochs: 4, activation: "rectifier-alternating", layerLearningRates: [0.03, 0.001] } as const
      const matched = yield* pretrainMnist(5, { ...config, codeSigns: "matched" })
      const ignored = yield* pretrainMnist(5, { ...config, codeSigns: "ignored" })
      const [bottom, top] = matched.layers
      const unmatchedTop = ignored.layers[1]!
      assert.isTrue(bottom?.kind === "dae" && top?.kind === "dae" && unmatchedTop.kind === "dae")
      if (bottom?.kind !== "dae" || top?.kind !== "dae" || unmatchedTop.kind !== "dae") return
      assert.strictEqual(top.dae.inputRange, "alternating")
      assert.strictEqual(unmatchedTop.dae.inputRange, "unit")
      // The bottom layer is the same either way; its codes on the monitored training examples (all 200) are the top layer's input.
      assert.deepStrictEqual(ignored.layers[0]!.kind === "dae" && ignored.layers[0]!.dae.encoderWeights, bottom.dae.encoderWeights)
      const mnist = yield* mnistOnce!
      const codes = encodeRows(bottom.dae, mnist.train, RandomStream.derive(0, "unused"))
      let negatedSquares = 0
      for (const value of codes.inputs) if (value < 0) negatedSquares += value * value
      const floor = negatedSquares / codes.count
      assert.isAbove(floor, 0)
      // A softplus output is >= 0: each negated code costs at least its square, whatever the training.
      for (const epoch of unmatchedTop.curve) assert.isAtLeast(epoch.reconstructionError, floor * (1 - 1e-5))
      // Matched signs: the whole reconstruction error ends below that floor.
      assert.isBelow(top.curve[3]!.reconstructionError, floor)
    }), 60_000)

  it.live("decoding its negated code, a sign-alternating layer silences the negated half; decoding magnitudes, it does not", () =>
    Effect.gen(function*() {
      // 600 steps over the 200 images: enough for the negated half to fall behind (5000 images, 3 epochs, 1000
      // units: 245 of 500 negated units dead under "matched", none under "magnitudes"; the campaign's full scale: 367).
      const config = { kind: "dae", hiddenSizes: [64], epochs: 30, activation: "rectifier-alternating", learningRate: 0.01 } as const
      const signed = yield* pretrainMnist(5, { ...config, codeSigns: "matched" })
      const magnitudes = yield* pretrainMnist(5, { ...config, codeSigns: "magnitudes" })
      const mnist = yield* mnistOnce!
      /** The layer's units on the 200 training images: mean fraction active (x W + b > 0) and units never active, even and odd (negated) apart. */
      const activity = (result: PretrainResult) => {
        const layer = result.weights.layers[0]!
        const active = new Float64Array(layer.fanOut)
        for (let r = 0; r < mnist.train.count; r++) {
          for (let j = 0; j < layer.fanOut; j++) {
            let z = layer.bias[j]!
            for (let i = 0; i < layer.fanIn; i++) z += mnist.train.inputs[r * layer.fanIn + i]! * layer.weights[i * layer.fanOut + j]!
            active[j]! += z > 0 ? 1 / mnist.train.count : 0
          }
        }
        const half = (parity: number) => {
          const units = [...active].filter((_, j) => j % 2 === parity)
          return { mean: units.reduce((a, b) => a + b, 0) / units.length, dead: units.filter((a) => a === 0).length }
        }
        return { even: half(0), odd: half(1) }
      }
      const error = (result: PretrainResult) => result.layers[0]!.kind === "dae" ? result.layers[0]!.curve.at(-1)!.reconstructionError : NaN
      const before = activity(signed)
      const after = activity(magnitudes)
      // With tied weights a negated unit's decoding subtracts the pattern it detects: training turns it down, or off.
      assert.isBelow(before.odd.mean, 0.75 * before.even.mean)
      assert.isAbove(before.odd.dead, 0)
      assert.strictEqual(before.even.dead, 0)
      assert.isAbove(after.odd.mean, 0.9 * after.even.mean)
      assert.strictEqual(after.odd.dead, 0)
      assert.isBelow(error(magnitudes), error(signed))
    }), 120_000)

  it.live("a magnitude-decoding stack passes its codes up signed, as the fine-tuned net computes them", () =>
    Effect.gen(function*() {
      const config = { kind: "dae", hiddenSizes: [32, 16], epochs: 2, activation: "rectifier-alternating", layerLearningRates: [0.01, 0.001] } as const
      const result = yield* pretrainMnist(5, { ...config, codeSigns: "magnitudes" })
      const [bottom, top] = result.layers
      assert.isTrue(bottom?.kind === "dae" && bottom.dae.activation === "rectifier" && bottom.dae.inputRange === "unit")
      assert.isTrue(top?.kind === "dae" && top.dae.inputRange === "alternating")
      assert.strictEqual(result.activation, "rectifier-alternating")
      // The same weights under "matched" start from the same draws: only the decoding differs, so the first layer's curve moves.
      const signed = yield* pretrainMnist(5, { ...config, codeSigns: "matched" })
      assert.notDeepEqual(bytes(signed), bytes(result))
    }), 60_000)

  it.live("a layer that diverges with every rate fails naming it; beside a rate that works it is dropped after its first NaN epoch", () =>
    Effect.gen(function*() {
      // At 0.03 the second layer over sign-alternating codes diverges (NaN at its second epoch); the first does not.
      const config = { kind: "dae", hiddenSizes: [32, 16], epochs: 4, activation: "rectifier-alternating", codeSigns: "matched" } as const
      const failed = yield* Effect.flip(pretrainMnist(5, { ...config, learningRate: 0.03 }))
      assert.strictEqual(failed._tag, "PretrainDiverged")
      if (failed._tag === "PretrainDiverged") {
        assert.strictEqual(failed.layer, 2)
        assert.include(failed.message, "pre-training layer 2 diverged with every learning rate it tried: 0.03 (epoch 2)")
      }
      const selected = yield* pretrainMnist(5, { ...config, learningRates: [0.03, 0.001] })
      const top = selected.layers[1]!
      assert.isTrue(top.kind === "dae" && top.learningRate === 0.001)
      if (top.kind === "dae") {
        const dropped = top.candidates!.find((c) => c.learningRate === 0.03)!
        assert.isFalse(dropped.kept)
        assert.notProperty(dropped, "reconstructionError")
      }
    }), 60_000)

  it.live("saves and loads a stack in the trainer's weights format", () =>
    Effect.gen(function*() {
      const result = yield* pretrainMnist(5, rbmConfig)
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped()
      yield* writeWeights(`${directory}/weights`, result.weights)
      const loaded = yield* readWeights(`${directory}/weights`)
      assert.deepStrictEqual(bytes({ weights: loaded }), bytes(result))
      assert.deepStrictEqual(loaded.layers.map((l) => l.fanOut), [24, 12])
      const manifest = JSON.parse(yield* fs.readFileString(`${directory}/weights.json`))
      assert.strictEqual(manifest.format, "rectifier-weights/1")
      assert.deepStrictEqual(manifest.layers[1].weights, { offset: 784 * 24 + 24, length: 24 * 12 })
      // A truncated data file is refused with the file and the field named.
      const data = yield* fs.readFile(`${directory}/weights.bin`)
      yield* fs.writeFile(`${directory}/weights.bin`, data.subarray(0, data.length - 8))
      const exit = yield* Effect.exit(readWeights(`${directory}/weights`))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(exit), "layers[1].bias")
    }).pipe(Effect.scoped, Effect.provide(NodeServices.layer)), 60_000)

  it.live("refuses a bad configuration or bad data with the field named", () =>
    Effect.gen(function*() {
      const train = { inputs: Float32Array.from([0, 0.5, 1, 2]), count: 2, features: 2 }
      const badConfig = yield* Effect.exit(withPretrainer(1, Pretrainer.use((p) =>
        p.pretrain({ kind: "rbm", hiddenSizes: [3], learningRate: -1 }, { train })
      )))
      assert.include(String(badConfig), "learningRate")
      const typo = yield* Effect.exit(withPretrainer(1, Pretrainer.use((p) =>
        p.pretrain({ kind: "dae", hiddenSizes: [3], maskNoise: 0.5 } as PretrainConfigInput, { train })
      )))
      assert.include(String(typo), "maskNoise")
      const badData = yield* Effect.exit(withPretrainer(1, Pretrainer.use((p) => p.pretrain({ kind: "rbm", hiddenSizes: [3] }, { train }))))
      assert.include(String(badData), "train data")
      assert.include(String(badData), "outside [0, 1]")
      // Gaussian visible units take any finite value.
      const gaussian = yield* withPretrainer(1, Pretrainer.use((p) =>
        p.pretrain({ kind: "rbm", hiddenSizes: [3], visible: "gaussian", hidden: "nrelu", epochs: 1, learningRate: 0.001 }, { train })
      ))
      assert.strictEqual(gaussian.activation, "rectifier")
      assert.isUndefined(gaussian.layers[0]!.kind === "rbm" ? gaussian.layers[0]!.curve[0]!.freeEnergyTrain : 0)
    }))
})
