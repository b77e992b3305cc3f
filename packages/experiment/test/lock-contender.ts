/**
 * A process that takes run locks at agreed instants (for the lock race tests):
 * for round r it waits until `at + r * period` ms, tries to take the lock of
 * `<base>/<r>`, and prints "r won <token>" or "r lost". Won locks are kept until
 * the process exits, so late contenders of a round see them held. With
 * `slowRenameMs`, each rename this process makes waits that long before and
 * after it (a slow or preempted process), to force a chosen interleaving.
 */
import { Effect } from "effect"
import fs from "node:fs"
import { syncBuiltinESMExports } from "node:module"
import { join } from "node:path"

const [base = "", roundsText = "1", atText = "0", periodText = "100", slowRenameText = "0"] = process.argv.slice(2)
const slowRename = Number(slowRenameText)
if (slowRename > 0) {
  const rename = fs.renameSync
  const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, slowRename)
  fs.renameSync = (from, to) => {
    pause()
    rename(from, to)
    pause()
  }
  syncBuiltinESMExports()
}
// Imported after the patch, so the lock's own `renameSync` is the slow one.
const { takeRunLock } = await import("../src/RunLock.ts")

const lines: Array<string> = []
for (let round = 0; round < Number(roundsText); round++) {
  const at = Number(atText) + round * Number(periodText)
  while (Date.now() < at) {
    // spin until the agreed instant so every contender starts together
  }
  lines.push(await Effect.runPromise(takeRunLock(join(base, String(round))).pipe(
    Effect.map((token) => `${round} won ${token}`),
    Effect.catch(() => Effect.succeed(`${round} lost`))
  )))
}
process.stdout.write(lines.join("\n") + "\n")
// Hold the won locks until every contender has finished its rounds.
setTimeout(() => process.exit(0), 1000)
