/**
 * Regenerates the family table in this package's README from the metadata:
 *   pnpm exec node packages/activations/src/WriteReadme.ts
 * A test fails while the committed README differs from what this writes.
 */
import { fileURLToPath } from "node:url"
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { writeFileAtomic } from "@rectifier/core"
import { Console, Effect, FileSystem } from "effect"
import { familyTable, TABLE_END, TABLE_START, withTable } from "./Table.ts"

const readmePath = fileURLToPath(new URL("../README.md", import.meta.url))

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const updated = withTable(yield* fs.readFileString(readmePath), familyTable())
  if (updated === undefined) {
    return yield* Effect.fail(new Error(`${readmePath} lacks the markers ${TABLE_START} ... ${TABLE_END}`))
  }
  yield* writeFileAtomic(readmePath, updated)
  yield* Console.log(`wrote the activation table into ${readmePath}`)
})

NodeRuntime.runMain(program.pipe(Effect.provide(NodeServices.layer)))
