/**
 * A separate process fetching one file into a cache, for the tests of two
 * processes at once: `node fetch-child.ts <dataDir> <url base> <size> <md5>`.
 * Prints the cached path, or the error's tag and message, and exits 0 or 1.
 */
import { Effect } from "effect"
import { FetchHttpClient } from "effect/http"
import { ensureFile } from "../src/index.ts"

const [dataDir, base, size, md5] = process.argv.slice(2)
const program = ensureFile(
  {
    dataset: "test",
    path: "test/shared.bin",
    remotePath: "shared.bin",
    mirrors: [base!],
    size: { exact: Number(size) },
    checksum: { algorithm: "md5", value: md5!, of: "file" }
  },
  { dataDir, attempts: 1, onWaiting: (waiting) => process.stderr.write(`waiting for ${waiting.owner}\n`) }
).pipe(Effect.provide(FetchHttpClient.layer))

Effect.runPromiseExit(program).then((exit) => {
  if (exit._tag === "Success") {
    process.stdout.write(`${exit.value}\n`)
  } else {
    process.stdout.write(`failed: ${String(exit.cause)}\n`)
    process.exitCode = 1
  }
})
