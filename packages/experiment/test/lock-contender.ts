/** A process that tries to take a run lock at a given instant (for the lock race test): prints "won" or "lost". */
import { Effect } from "effect"
import { takeRunLock } from "../src/RunLock.ts"

const [folder = "", at = "0"] = process.argv.slice(2)
while (Date.now() < Number(at)) {
  // spin until the agreed instant so every contender starts together
}
const outcome = await Effect.runPromise(takeRunLock(folder).pipe(Effect.as("won"), Effect.catch(() => Effect.succeed("lost"))))
process.stdout.write(outcome + "\n")
// Hold a won lock a moment so late contenders see it live.
setTimeout(() => process.exit(0), outcome === "won" ? 1000 : 0)
