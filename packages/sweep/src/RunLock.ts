/**
 * The lock that keeps two sweeps from writing the same run: a `run.lock`
 * file created exclusively in the run folder, holding the writer's process
 * id. A lock whose process is gone (a killed sweep) is stale and is taken
 * over; a live one makes the second sweep skip the run.
 */
import { Effect, Schema } from "effect"
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs"
import { join } from "node:path"

export class RunLocked extends Schema.TaggedError<RunLocked>()("RunLocked", {
  folder: Schema.String,
  pid: Schema.Int
}) {
  override get message(): string {
    return `run folder ${this.folder} is being written by process ${this.pid} (another sweep); skipped`
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const tryCreate = (file: string): boolean => {
  try {
    const fd = openSync(file, "wx")
    writeSync(fd, String(process.pid))
    closeSync(fd)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
    throw error
  }
}

/** Removes `folder`'s lock if the process that held it is gone (a sweep killed after its run finished). */
export const clearStaleLock = (folder: string): void => {
  const file = join(folder, "run.lock")
  try {
    const holder = Number(readFileSync(file, "utf8"))
    if (!(Number.isInteger(holder) && holder > 0 && alive(holder))) rmSync(file, { force: true })
  } catch {
    // no lock
  }
}

/** Holds the lock of `folder` for the enclosing scope; fails with `RunLocked` if a live process holds it. */
export const acquireRunLock = (folder: string) => {
  const file = join(folder, "run.lock")
  return Effect.acquireRelease(
    Effect.suspend(() => {
      for (let attempt = 0; attempt < 3; attempt++) {
        if (tryCreate(file)) return Effect.void
        let holder = Number.NaN
        try {
          holder = Number(readFileSync(file, "utf8"))
        } catch {
          continue // removed between our attempt and the read: try again
        }
        if (Number.isInteger(holder) && holder > 0 && alive(holder) && holder !== process.pid) {
          return Effect.fail(new RunLocked({ folder, pid: holder }))
        }
        rmSync(file, { force: true }) // stale: its process is gone
      }
      return Effect.fail(new RunLocked({ folder, pid: -1 }))
    }),
    () => Effect.sync(() => rmSync(file, { force: true }))
  )
}
