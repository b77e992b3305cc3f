/**
 * The API reference builds from the doc comments with TypeDoc's validation
 * on: no broken `{@link}`, no exported name that refers to an unexported
 * type, and no undocumented export beyond docs/api-undocumented.txt.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runNode } from "./helpers.ts"

describe("the API reference", () => {
  it.live("validates: links resolve and every export is documented", () =>
    Effect.sync(() => {
      const run = runNode(["scripts/api-docs.ts", "--check"])
      assert.strictEqual(run.status, 0, `${run.stdout}${run.stderr}`)
      assert.match(run.lastLine, /^api-docs: \d+ packages documented$/)
    }), 300_000)
})
