import { assert, describe, it } from "@effect/vitest"
import { compareRecords } from "@rectifier/experiment"
import type { RunRecord } from "@rectifier/record"

const base = {
  startedAt: "a",
  finishedAt: "b",
  wallSeconds: 3,
  environment: { node: "v22" },
  epochs: [{ epoch: 1, trainLoss: 0.5, testError: 0.1, seconds: 2 }],
  result: { testError: 0.1, sparsity: { perLayer: [0.5, 0.6], mean: 0.55 } }
} as unknown as RunRecord

describe("compareRecords", () => {
  it("ignores timings and the machine, reports every other difference by path", () => {
    const timingOnly = {
      ...base,
      startedAt: "c",
      finishedAt: "d",
      wallSeconds: 9,
      environment: { node: "v24" },
      epochs: [{ ...base.epochs[0]!, seconds: 7 }]
    } as unknown as RunRecord
    assert.deepStrictEqual(compareRecords(base, timingOnly), [])
    const changed = {
      ...base,
      epochs: [{ ...base.epochs[0]!, trainLoss: 0.50001 }, base.epochs[0]!],
      result: { testError: 0.1, sparsity: { perLayer: [0.5, 0.7], mean: 0.55 } }
    } as unknown as RunRecord
    assert.deepStrictEqual(compareRecords(base, changed), [
      { path: "epochs[0].trainLoss", expected: 0.5, actual: 0.50001 },
      { path: "epochs[1]", expected: undefined, actual: { epoch: 1, trainLoss: 0.5, testError: 0.1 } },
      { path: "result.sparsity.perLayer[1]", expected: 0.6, actual: 0.7 }
    ])
  })
})
