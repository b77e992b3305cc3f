import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { repositoryRoot, runNode, temporaryFolder } from "./helpers.ts"

describe("README library examples", () => {
  it.live("is the file the test runs, and it runs", () =>
    Effect.sync(() => {
      const example = readFileSync(join(repositoryRoot, "test/examples/library.ts"), "utf8")
      const readme = readFileSync(join(repositoryRoot, "README.md"), "utf8")
      assert.include(readme, example.trim(), "README.md shows test/examples/library.ts verbatim")
      const out = temporaryFolder("library")
      const run = runNode(["test/examples/library.ts", out])
      assert.strictEqual(run.status, 0, run.stderr)
      assert.match(run.stdout, /test error 0\.\d+, sparsity 0\.\d+/)
      assert.isTrue(run.lastLine.startsWith(out))
    }))

  it.live("shows test/examples/stages.ts verbatim, and it runs", () =>
    Effect.sync(() => {
      const example = readFileSync(join(repositoryRoot, "test/examples/stages.ts"), "utf8")
      const readme = readFileSync(join(repositoryRoot, "README.md"), "utf8")
      assert.include(readme, example.trim(), "README.md shows test/examples/stages.ts verbatim")
      const run = runNode(["test/examples/stages.ts"])
      assert.strictEqual(run.status, 0, run.stderr)
      assert.match(run.lastLine, /^test error 0\.\d+, sparsity [\d.e-]+, learning rate 0\.05$/)
    }))
})
