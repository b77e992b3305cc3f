/**
 * The test command: type-checks every package (turbo), runs the whole vitest
 * suite, and closes with one `N passed, N failed` line taken from vitest's
 * JSON results (each package's type check counts as one test).
 */
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, rmSync } from "node:fs"

const resultsFile = ".test-results/vitest.json"
const run = (command: string, args: ReadonlyArray<string>) =>
  spawnSync(command, args, { stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } }).status ?? 1

const typecheck = run("turbo", ["run", "typecheck", "--output-logs=errors-only", "--continue"])
rmSync(resultsFile, { force: true })
run("vitest", ["run", ...process.argv.slice(2)])

let passed = 0
let failed = 0
let skipped = 0
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, "utf8")) as {
    numPassedTests: number
    numFailedTests: number
    numPendingTests: number
    numTodoTests: number
    testResults: ReadonlyArray<{ status: string; assertionResults: ReadonlyArray<unknown> }>
  }
  passed = results.numPassedTests
  // A file that fails to load has no test results of its own: count it as a failure.
  const brokenFiles = results.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0)
  failed = results.numFailedTests + brokenFiles.length
  skipped = results.numPendingTests + results.numTodoTests
} else {
  failed += 1
}
if (typecheck === 0) passed += 1
else failed += 1
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed === 0 ? 0 : 1)
