import { assert, describe, it } from "@effect/vitest"
import { findPreset, planRuns, type Preset, presets, resolveConfig, resolveRuns } from "@rectifier/experiment"
import { Effect } from "effect"

const withOverrides = (overrides: unknown): Preset => ({
  name: "typo",
  description: "a preset with a mistake",
  overrides: overrides as Preset["overrides"],
  references: []
})

describe("presets", () => {
  it.effect("a preset with an unknown key is rejected with the key's name", () =>
    Effect.gen(function*() {
      const nested = yield* Effect.flip(resolveConfig(withOverrides({ training: { learningrate: 0.1 } })))
      assert.strictEqual(nested._tag, "ConfigInvalid")
      assert.include(nested.message, "learningrate")
      assert.include(nested.message, "preset typo")
      const top = yield* Effect.flip(resolveConfig(withOverrides({ sede: 3 })))
      assert.include(top.message, "sede")
      const flag = yield* Effect.flip(resolveConfig(presets[0]!, { dataset: { trainsize: 10 } }))
      assert.include(flag.message, "trainsize")
      assert.include(flag.message, "overrides")
    }))

  it.effect("every preset plans to valid configurations, with unique names", () =>
    Effect.gen(function*() {
      assert.strictEqual(new Set(presets.map((p) => p.name)).size, presets.length)
      for (const preset of presets) {
        const runs = yield* planRuns(preset)
        assert.isAbove(runs.length, 0, preset.name)
        const cells = new Set(runs.map((r) => r.cell))
        assert.strictEqual(cells.size, preset.sweep?.cells.length ?? 1, `${preset.name}: cell labels are unique`)
        assert.strictEqual(runs.length, cells.size * (preset.sweep?.seeds.length ?? 1))
        for (const [a, b] of preset.sweep?.comparisons ?? []) {
          assert.isTrue(cells.has(a) && cells.has(b), `${preset.name}: comparison ${a} / ${b} names its cells`)
        }
      }
    }))

  it.effect("layers apply in order: defaults, preset, cell, then flags", () =>
    Effect.gen(function*() {
      const smoke = yield* findPreset("smoke")
      const runs = yield* resolveRuns(smoke, { training: { epochs: 1 }, dataset: { trainSize: 100 } })
      assert.deepStrictEqual(runs.map((r) => [r.cell, r.config.seed]), [["rectifier", 1], ["rectifier", 2], ["tanh", 1], ["tanh", 2]])
      const rectifier = runs[0]!.config
      assert.strictEqual(rectifier.training.activation, "rectifier-alternating") // cell
      assert.strictEqual(rectifier.training.l1Penalty, 0.001) // cell
      assert.deepStrictEqual(rectifier.training.hiddenLayers, [32]) // preset
      assert.strictEqual(rectifier.training.epochs, 1) // flag over preset
      assert.strictEqual(rectifier.dataset.trainSize, 100) // flag over preset
      assert.strictEqual(rectifier.dataset.evaluationSize, 200) // preset, kept beside the flag
      assert.strictEqual(rectifier.training.batchSize, 10) // default
      assert.strictEqual(runs[2]!.config.training.l1Penalty, 0) // tanh cell leaves the default
      const seeded = yield* resolveRuns(smoke, { seed: 7 })
      assert.deepStrictEqual(seeded.map((r) => r.config.seed), [7, 7])
    }))

  it.effect("a pre-training change without a kind reaches every pre-trained cell of a sweep and no other", () =>
    Effect.gen(function*() {
      const table1 = yield* findPreset("table1-mnist")
      const before = yield* resolveRuns(table1, {}, [1])
      const after = yield* resolveRuns(table1, { pretraining: { epochs: 2 } }, [1])
      const pretrained = after.filter((run) => run.config.pretraining !== undefined)
      assert.deepStrictEqual(pretrained.map((run) => run.cell), ["rectifier, pre-trained", "tanh, pre-trained", "softplus, pre-trained"])
      for (const [index, run] of after.entries()) {
        const was = before[index]!.config
        if (was.pretraining === undefined) {
          assert.deepStrictEqual(run.config, was, `${run.cell}: a cell without pre-training is unchanged`)
          continue
        }
        assert.strictEqual(run.config.pretraining!.epochs, 2, run.cell)
        assert.notStrictEqual(was.pretraining.epochs, 2, `${run.cell}: the change is the override's, not the preset's`)
        assert.deepStrictEqual({ ...run.config.pretraining, epochs: was.pretraining.epochs }, was.pretraining, `${run.cell}: only epochs change`)
      }
      // A kind replaces the stack whole; null removes it.
      const replaced = yield* resolveRuns(table1, { pretraining: { kind: "rbm" } }, [1])
      assert.isTrue(replaced.every((run) => run.config.pretraining?.kind === "rbm"))
      const dae = yield* findPreset("mnist-relu-dae")
      const removed = yield* resolveConfig(dae, { pretraining: null })
      assert.isUndefined(removed.pretraining)
      const changed = yield* resolveConfig(dae, { pretraining: { epochs: 3 } })
      assert.strictEqual(changed.pretraining?.kind, "dae")
      assert.strictEqual(changed.pretraining?.epochs, 3)
    }))

  it.effect("presets on every dataset of the paper resolve; sizes beyond a dataset's split are rejected naming the field", () =>
    Effect.gen(function*() {
      const norb = yield* resolveRuns(yield* findPreset("table1-norb"))
      assert.isTrue(norb.every((run) => run.config.dataset.name === "norb" && run.config.dataset.trainSize === undefined))
      const fraction = yield* resolveRuns(yield* findPreset("labelled-fraction"))
      assert.includeMembers(fraction.map((run) => run.config.dataset.labelledFraction), [0.01, 1])
      assert.isTrue(fraction.some((run) => run.config.pretraining?.kind === "dae"))
      for (const name of ["table1-cifar10", "table1-nistp", "seed-norb", "table1-mnist", "depth-conv"]) {
        assert.isAbove((yield* resolveRuns(yield* findPreset(name))).length, 0, name)
      }
      // NORB's training set is larger than MNIST's: a size MNIST rejects is fine there.
      const bigNorb = yield* resolveConfig(yield* findPreset("norb-softplus-rescaled"), { dataset: { trainSize: 200_000 } })
      assert.strictEqual(bigNorb.dataset.trainSize, 200_000)

      const mnist = yield* findPreset("mnist-relu")
      const tooMany = yield* Effect.flip(resolveConfig(mnist, { dataset: { trainSize: 50_001 } }))
      assert.strictEqual(tooMany._tag, "DatasetSizeInvalid")
      assert.include(tooMany.message, "dataset.trainSize is 50001")
      assert.include(tooMany.message, "50,000 training examples")
      assert.include(tooMany.message, "mnist-relu")
      const cifar = yield* findPreset("table1-cifar10")
      const evaluation = yield* Effect.flip(resolveRuns(cifar, { dataset: { evaluationSize: 5_001 } }))
      assert.include(evaluation.message, "dataset.evaluationSize is 5001")
      assert.include(evaluation.message, "5,000")
      assert.strictEqual((yield* resolveConfig(mnist, { dataset: { trainSize: 50_000 } })).dataset.trainSize, 50_000)
    }))
})
