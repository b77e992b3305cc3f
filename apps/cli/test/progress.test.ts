import { assert, describe, it } from "@effect/vitest"
import { defaults } from "@rectifier/experiment"
import { Effect } from "effect"
import { setTimeout as sleep } from "node:timers/promises"
import { progressPrinter } from "../src/Progress.ts"

/** A stream that records what is written to it, a terminal or not. */
const recorder = (isTTY: boolean) => {
  const written: Array<string> = []
  const stream = { isTTY, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream
  return { stream, written }
}

const metrics = { epoch: 1, trainLoss: 0.5, validationError: 0.1, testError: 0.11, seconds: 3 }
const config = { ...defaults, training: { ...defaults.training, epochs: 2 } }

describe("run progress", () => {
  it.live("on a terminal, a long epoch shows the step reached, redrawn in place and erased by the epoch's line", () =>
    Effect.gen(function*() {
      const { stream, written } = recorder(true)
      const lines: Array<string> = []
      const printer = progressPrinter((line) => Effect.sync(() => void lines.push(line)), stream)
      printer.onSteps({ epoch: 1, step: 50, steps: 5000, learningRate: 0.01 }, config)
      assert.deepStrictEqual(written, [], "nothing within the first seconds of an epoch")
      yield* Effect.promise(() => sleep(2100))
      printer.onSteps({ epoch: 1, step: 2500, steps: 5000, learningRate: 0.01 }, config)
      assert.deepStrictEqual(written, ["\r\x1b[Kepoch 1/2  step 2500/5000 (50%)"])
      yield* printer.onEpoch({ ...metrics } as never, config, 0.01)
      assert.strictEqual(written[1], "\r\x1b[K", "the step line is erased before the epoch's line")
      assert.match(lines[0]!, /^epoch 1\/2  cost 0\.5000  valid 10\.00%  test 11\.00%  3\.0s  ETA 3s$/)
    }))

  it.live("elsewhere (a log, a pipe) only the epoch lines are written", () =>
    Effect.gen(function*() {
      const { stream, written } = recorder(false)
      const lines: Array<string> = []
      const printer = progressPrinter((line) => Effect.sync(() => void lines.push(line)), stream)
      yield* Effect.promise(() => sleep(2100))
      printer.onSteps({ epoch: 1, step: 2500, steps: 5000, learningRate: 0.01 }, config)
      yield* printer.onEpoch({ ...metrics } as never, config, 0.01)
      assert.deepStrictEqual(written, [])
      assert.lengthOf(lines, 1)
    }))
})
