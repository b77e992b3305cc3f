import { assert, describe, it } from "@effect/vitest"
import { claimVerdict, pairedTTest, testClaims } from "../src/index.ts"

const cells: Record<string, ReadonlyMap<number, number>> = {
  "tanh": new Map([[1, 0.016], [2, 0.017], [3, 0.0155], [4, 0.9]]),
  "tanh, pre-trained": new Map([[1, 0.012], [2, 0.0125], [3, 0.0118]]),
  "rectifier": new Map([[1, 0.0144], [2, 0.0146], [3, 0.0141]]),
  "rectifier, pre-trained": new Map([[1, 0.0121], [2, 0.0125], [3, 0.0119]])
}
const claim = {
  text: "pre-training helps tanh more than the rectifier",
  larger: ["tanh", "tanh, pre-trained"] as const,
  smaller: ["rectifier", "rectifier, pre-trained"] as const
}

describe("the paper's claims about effects", () => {
  it("compares two gains seed by seed, on the seeds all four cells share", () => {
    const [tested] = testClaims([claim], (label) => cells[label]!)
    // Seed 4 exists only for tanh: left out.
    assert.strictEqual(tested!.seeds, 3)
    const tanhGain = [0.016 - 0.012, 0.017 - 0.0125, 0.0155 - 0.0118]
    const rectifierGain = [0.0144 - 0.0121, 0.0146 - 0.0125, 0.0141 - 0.0119]
    // The same arithmetic as the paired t-test on the two gain series (itself checked against SciPy).
    assert.deepStrictEqual(tested!.test, pairedTTest(tanhGain, rectifierGain))
    assert.closeTo(tested!.meanDifference!, (0.004 + 0.0045 + 0.0037 - 0.0023 - 0.0021 - 0.0022) / 3, 1e-15)
    assert.strictEqual(claimVerdict(tested!, 0.01, 0.05), "supported")
    assert.strictEqual(claimVerdict(tested!, 0.2, 0.05), "not shown (not significant)")
    const reversed = testClaims([{ ...claim, larger: claim.smaller, smaller: claim.larger }], (label) => cells[label]!)[0]!
    assert.strictEqual(claimVerdict(reversed, 0.01, 0.05), "contradicted")
  })

  it("makes no claim from fewer than three shared seeds", () => {
    const two = (label: string) => new Map([...cells[label]!].filter(([seed]) => seed <= 2))
    const [tested] = testClaims([claim], two)
    assert.isUndefined(tested!.test)
    assert.strictEqual(claimVerdict(tested!, undefined, 0.05), "too few seeds (2; a test needs 3)")
  })
})
