import { assert, describe, it } from "@effect/vitest"
import { bestBy, type CandidateEpoch, pruneReason, stalled, verdicts } from "../src/index.ts"

/** A curve from validation errors, one per epoch (the other fields do not enter the rules). */
const curve = (errors: ReadonlyArray<number>): Array<CandidateEpoch> =>
  errors.map((validationError, i) => ({ epoch: i + 1, trainLoss: 0, validationError, testError: validationError, seconds: 1 }))

const rule = { afterEpochs: 3, factor: 1.5 }

describe("learning-rate selection rules", () => {
  it("compares a candidate with what each earlier one had reached by the same epoch", () => {
    const fast = curve([0.05, 0.03, 0.02, 0.015, 0.014])
    assert.strictEqual(bestBy(fast, 2), 0.03)
    assert.strictEqual(bestBy(fast, 9), 0.014)
    assert.strictEqual(bestBy([], 3), Infinity)
    const rivals = [{ learningRate: 0.1, curve: fast }]
    // Before the warm-up nothing is pruned, however far behind.
    assert.isUndefined(pruneReason(curve([0.4, 0.35]), rivals, rule, 10))
    // At epoch 3: 0.031 > 1.5 x 0.02 is beaten; 0.029 is not.
    const beaten = pruneReason(curve([0.2, 0.1, 0.031]), rivals, rule, 10)
    assert.strictEqual(beaten?.reason, "beaten")
    assert.include(beaten!.detail, "learning rate 0.1")
    assert.include(beaten!.detail, "3.10%")
    assert.include(beaten!.detail, "2.00%")
    assert.isUndefined(pruneReason(curve([0.2, 0.1, 0.029]), rivals, rule, 10))
    // A rival that stopped early counts with its best over the epochs it ran.
    const short = [{ learningRate: 0.1, curve: curve([0.05, 0.02]) }]
    assert.strictEqual(pruneReason(curve([0.2, 0.1, 0.05, 0.031]), short, rule, 10)?.reason, "beaten")
    assert.isUndefined(pruneReason(curve([0.2, 0.1, 0.05, 0.029]), short, rule, 10))
    // The candidate's own best so far counts, not its last epoch.
    assert.isUndefined(pruneReason(curve([0.2, 0.025, 0.04]), rivals, rule, 10))
  })

  it("stops a candidate whose validation error is within 10% of chance after any epoch", () => {
    assert.isTrue(stalled(0.81, 10))
    assert.isFalse(stalled(0.8, 10))
    assert.isTrue(stalled(0.45, 2))
    const stop = pruneReason(curve([0.9]), [], rule, 10)
    assert.strictEqual(stop?.reason, "stalled")
    assert.include(stop!.detail, "90.00%")
  })

  it("says why each candidate was kept or dropped", () => {
    const judged = verdicts([
      { learningRate: 0.1, validationError: 0.02, bestEpoch: 4, stop: { reason: "diverged", detail: "cost became NaN at epoch 5, step 3" } },
      { learningRate: 0.01, validationError: 0.015, bestEpoch: 30, stop: { reason: "patience", detail: "" } },
      { learningRate: 0.001, validationError: 0.025, bestEpoch: 40, stop: { reason: "epochs", detail: "" } },
      { learningRate: 0.0001, validationError: 0.2, bestEpoch: 10, stop: { reason: "beaten", detail: "behind" } }
    ], 1)
    assert.deepStrictEqual(judged.map((v) => v.kept), [false, true, false, false])
    assert.strictEqual(judged[0]!.reason, "diverged: cost became NaN at epoch 5, step 3")
    assert.strictEqual(judged[1]!.reason, "lowest validation error, 1.50% at epoch 30")
    assert.strictEqual(judged[2]!.reason, "validation error 2.50% at epoch 40, above the kept 1.50% (learning rate 0.01)")
    assert.strictEqual(judged[3]!.reason, "beaten: behind")
  })
})
