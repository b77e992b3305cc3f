/**
 * Run identities are a contract with finished work: a campaign's run folders
 * are named by them, so a change that alters how a preset resolves or how a
 * configuration is hashed would make every finished run look new. These are
 * the folder names the table1-mnist campaign (numerics version 1) wrote; the
 * followers' keys are derived from the leaders' committed records, as the
 * sweep derives them. Two changes of identity were deliberate: the
 * rectifier's pre-trained cell gained `codeSigns: "matched"` (2026-12-02,
 * key 282c9edc4524 -> e4569c6e65cd), then `codeSigns: "magnitudes"` (the
 * seventh session, -> c76bc6e94eb6), so it runs again under a new key while
 * its earlier records keep theirs. The eleventh session took the paper's L1
 * penalty off the tanh and softplus auto-encoders (a rectifier detail that
 * their stacks had carried by the DAE's default): those two pre-trained cells
 * run again (cc6f51b6fe10 -> ef647bec24f0, 37e6c8f34e9d -> 4f33be482473).
 */
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { findPreset, planRuns, readRunRecord, resolveConfig, reuseSelection } from "@rectifier/experiment"
import { runKey } from "@rectifier/experiment"
import { Effect } from "effect"
import { join } from "node:path"

const campaign = {
  leaders: {
    rectifier: "bee479df8050",
    tanh: "fe0ba2c6f95a",
    softplus: "28e676e5cb5d",
    "rectifier, pre-trained": "c76bc6e94eb6",
    "tanh, pre-trained": "ef647bec24f0",
    "softplus, pre-trained": "4f33be482473"
  } as Record<string, string>,
  followers: [
    { cell: "rectifier", seed: 2, key: "b5986f7411cf", leader: "rectifier-seed1-bee479df8050" },
    { cell: "rectifier", seed: 3, key: "830ec6c6d2d4", leader: "rectifier-seed1-bee479df8050" },
    // The fourteenth session's campaign named the softplus followers' folders so; the tanh ones had not started.
    { cell: "softplus, pre-trained", seed: 2, key: "b4c0e5daab55", leader: "softplus-pre-trained-seed1-4f33be482473" },
    { cell: "softplus, pre-trained", seed: 3, key: "8a964ed5a0f9", leader: "softplus-pre-trained-seed1-4f33be482473" },
    { cell: "tanh, pre-trained", seed: 2, key: "350d6c4685e5", leader: "tanh-pre-trained-seed1-ef647bec24f0" },
    { cell: "tanh, pre-trained", seed: 3, key: "70b0891f1b59", leader: "tanh-pre-trained-seed1-ef647bec24f0" }
  ]
}

describe("run identity", () => {
  it.effect("table1-mnist resolves to the campaign's run keys under numerics version 1", () =>
    Effect.gen(function*() {
      const runs = yield* planRuns(yield* findPreset("table1-mnist"))
      const leaders = runs.filter((run) => run.selection === "leader")
      assert.deepStrictEqual(
        Object.fromEntries(leaders.map((run) => [run.cell, runKey(run.config, 1)])),
        campaign.leaders
      )
      for (const follower of campaign.followers) {
        const planned = runs.find((run) => run.cell === follower.cell && run.config.seed === follower.seed)!
        assert.strictEqual(planned.selection, "follower")
        const leader = yield* readRunRecord(join(import.meta.dirname, "../results/table1-mnist/runs", follower.leader))
        assert.strictEqual(runKey(reuseSelection(planned.config, leader), 1), follower.key, `${follower.cell}, seed ${follower.seed}`)
      }
    }).pipe(Effect.provide(NodeServices.layer)))

  it.effect("records from before codeSigns and from its matched era keep their keys", () =>
    Effect.gen(function*() {
      const evidence = join(import.meta.dirname, "../results/evidence/dae-code-signs/runs")
      const before = yield* readRunRecord(join(evidence, "rectifier-pre-trained-seed1-282c9edc4524"))
      assert.isTrue(before.config.pretraining?.kind === "dae" && before.config.pretraining.codeSigns === undefined)
      assert.strictEqual(runKey(before.config, 1), "282c9edc4524")
      const matched = yield* readRunRecord(join(evidence, "rectifier-pre-trained-seed1-e4569c6e65cd"))
      assert.isTrue(matched.config.pretraining?.kind === "dae" && matched.config.pretraining.codeSigns === "matched")
      assert.strictEqual(runKey(matched.config, 1), "e4569c6e65cd")
      const runs = yield* planRuns(yield* findPreset("table1-mnist"))
      const now = runs.find((run) => run.cell === "rectifier, pre-trained" && run.selection === "leader")!
      assert.isTrue(now.config.pretraining?.kind === "dae" && now.config.pretraining.codeSigns === "magnitudes")
      // Only the sign-alternating encoders are concerned: the tanh and softplus stacks do not name it.
      for (const run of runs.filter((r) => r.config.pretraining !== undefined && r.cell !== "rectifier, pre-trained")) {
        assert.notProperty(run.config.pretraining!, "codeSigns")
      }
    }).pipe(Effect.provide(NodeServices.layer)))

  it.effect("only rectifier stacks carry the paper's L1 penalty; the campaign's tanh and softplus records keep their keys", () =>
    Effect.gen(function*() {
      const runs = yield* planRuns(yield* findPreset("table1-mnist"))
      const l1 = (cell: string) => {
        const pretraining = runs.find((run) => run.cell === cell)!.config.pretraining
        return pretraining?.kind === "dae" ? pretraining.l1Penalty : undefined
      }
      assert.deepStrictEqual(
        ["rectifier, pre-trained", "tanh, pre-trained", "softplus, pre-trained"].map(l1),
        [0.001, 0, 0]
      )
      // Kept beside the evidence: importing the re-run cells replaces them in results/table1-mnist/.
      const registry = join(import.meta.dirname, "../results/evidence/dae-l1/campaign-before")
      for (const folder of ["tanh-pre-trained-seed1-cc6f51b6fe10", "softplus-pre-trained-seed1-37e6c8f34e9d"]) {
        const record = yield* readRunRecord(join(registry, folder))
        assert.isTrue(record.config.pretraining?.kind === "dae" && record.config.pretraining.l1Penalty === 0.001)
        assert.isTrue(folder.endsWith(runKey(record.config, 1)), folder)
      }
    }).pipe(Effect.provide(NodeServices.layer)))

  it.effect("the sparse products and flushed subnormals are part of a run's identity; runs without them keep theirs", () =>
    Effect.gen(function*() {
      const preset = yield* findPreset("mnist-relu")
      const dense = yield* resolveConfig(preset, {})
      for (const [field, value] of [["sparseProducts", "auto"], ["subnormals", "flush"]] as const) {
        const on = yield* resolveConfig(preset, { [field]: value })
        const removed = yield* resolveConfig(preset, { [field]: null })
        assert.notProperty(dense, field)
        assert.strictEqual(on[field], value)
        assert.notStrictEqual(runKey(on, 1), runKey(dense, 1), field)
        assert.strictEqual(runKey(removed, 1), runKey(dense, 1), field)
      }
    }))
})
