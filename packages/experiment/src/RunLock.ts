/**
 * The lock that keeps two writers off one run folder: `run.lock`, holding
 * the writing process's id, its start time (field 22 of /proc/<pid>/stat,
 * so a reused id is not mistaken for the writer) and a random token.
 *
 * - Created whole and exclusively: the lock is written to a private file and
 *   hard-linked to `run.lock` (link fails if it exists), so no reader ever
 *   sees an empty or half-written lock.
 * - Stale when its process is gone, or when a process with its id runs but
 *   started at another time (the id was reused: a container's pid 1, a
 *   reboot). A lock from before start times were stored (a bare pid) is
 *   stale when the process with that id started after the lock was written.
 * - Taken over atomically: the stale lock is renamed aside under a unique
 *   name, the moved file is checked to be the stale one we judged (else it
 *   is put back), and then the lock is created exclusively as above. Of two
 *   sweeps taking over one stale lock, one wins; the other sees it held.
 * - Released only by its own holder (the token must match).
 *
 * A sweep locks a run in the name of its worker process, which writes the
 * folder, so the lock stays valid exactly as long as the writer lives.
 */
import { Effect, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"

export class RunLocked extends Schema.TaggedError<RunLocked>()("RunLocked", {
  folder: Schema.String,
  pid: Schema.Int
}) {
  override get message(): string {
    return this.pid > 0
      ? `run folder ${this.folder} is being written by process ${this.pid} (another sweep or resume); skipped`
      : `run folder ${this.folder}: its lock changed hands while we tried to take it (another sweep); skipped`
  }
}

/** Who holds a lock: a process, known by id and start time. */
export interface LockHolder {
  readonly pid: number
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22); undefined where /proc is absent. */
  readonly start: number | undefined
}

interface LockContent extends LockHolder {
  readonly token: string
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
export const processStartTime = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    const start = Number(fields[22 - 3])
    return Number.isFinite(start) ? start : undefined
  } catch {
    return undefined
  }
}

/** The system's boot time in milliseconds since the epoch (Linux), for dating a process's start. */
const bootTimeMs = (): number | undefined => {
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))
    return btime === null ? undefined : Number(btime[1]) * 1000
  } catch {
    return undefined
  }
}

/** This process, as a lock holder. */
export const currentProcess = (): LockHolder => ({ pid: process.pid, start: processStartTime(process.pid) })

/** A holder for the process `pid` (e.g. a worker just spawned). */
export const processHolder = (pid: number): LockHolder => ({ pid, start: processStartTime(pid) })

const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const parse = (text: string): Partial<LockContent> => {
  const bare = text.trim()
  if (/^\d+$/.test(bare)) return { pid: Number(bare) }
  try {
    const value = JSON.parse(text) as Partial<LockContent>
    return typeof value === "object" && value !== null ? value : {}
  } catch {
    return {}
  }
}

/** Whether the lock `file` (with content `text`) names a process that still runs. */
const live = (file: string, text: string): { live: boolean; pid: number } => {
  const content = parse(text)
  const pid = content.pid
  if (!(typeof pid === "number" && Number.isInteger(pid) && pid > 0) || !running(pid)) return { live: false, pid: pid ?? -1 }
  const start = processStartTime(pid)
  if (typeof content.start === "number") {
    return { live: start === undefined || start === content.start, pid }
  }
  // A bare pid (older locks): stale if the process with that id started after the lock was written.
  const boot = bootTimeMs()
  if (start === undefined || boot === undefined) return { live: true, pid }
  let written: number
  try {
    written = statSync(file).mtimeMs
  } catch {
    return { live: false, pid }
  }
  const startedMs = boot + (start * 1000) / 100 // USER_HZ is 100 on Linux
  return { live: startedMs <= written + 1000, pid }
}

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

/** Creates `file` with `text` whole and exclusively; false if it exists. */
const createWhole = (file: string, text: string, token: string): boolean => {
  const own = `${file}.new-${token}`
  writeFileSync(own, text)
  try {
    linkSync(own, file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
    throw error
  } finally {
    rmSync(own, { force: true })
  }
}

/** Moves the stale lock (content `stale`) aside; true if the file moved was that one. */
const moveAside = (file: string, stale: string, token: string): boolean => {
  const aside = `${file}.stale-${token}`
  try {
    renameSync(file, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false // someone else moved it
    throw error
  }
  if (read(aside) === stale) {
    rmSync(aside, { force: true })
    return true
  }
  // We moved a fresh lock another sweep had just created: put it back (exclusively) and yield.
  try {
    linkSync(aside, file)
  } catch {
    // a third writer got in between; the lock is theirs now
  }
  rmSync(aside, { force: true })
  return false
}

/** Removes `folder`'s lock if the process that held it is gone (a sweep killed after its run finished). */
export const clearStaleLock = (folder: string): void => {
  const file = join(folder, "run.lock")
  const text = read(file)
  if (text !== undefined && !live(file, text).live) moveAside(file, text, randomUUID())
}

/**
 * Takes the lock of `folder` for `holder` (this process by default) without
 * releasing it; its token, or `RunLocked` if a live process holds it.
 */
export const takeRunLock = (folder: string, holder: LockHolder = currentProcess()) =>
  Effect.suspend(() => {
    const file = join(folder, "run.lock")
    const token = randomUUID()
    const text = JSON.stringify({ pid: holder.pid, start: holder.start, token }) + "\n"
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createWhole(file, text, token)) return Effect.succeed(token)
      const existing = read(file)
      if (existing === undefined) continue // released between our attempt and the read: try again
      const state = live(file, existing)
      if (state.live) {
        return Effect.fail(new RunLocked({ folder, pid: state.pid }))
      }
      moveAside(file, existing, token)
    }
    return Effect.fail(new RunLocked({ folder, pid: -1 }))
  })

/** Releases the lock of `folder` if it still holds `token`. */
export const releaseRunLock = (folder: string, token: string): void => {
  const file = join(folder, "run.lock")
  const text = read(file)
  if (text !== undefined && parse(text).token === token) rmSync(file, { force: true })
}

/** Holds the lock of `folder` for the enclosing scope (for `holder`, this process by default); `RunLocked` if a live process holds it. */
export const acquireRunLock = (folder: string, holder?: LockHolder) =>
  Effect.acquireRelease(takeRunLock(folder, holder), (token) => Effect.sync(() => releaseRunLock(folder, token)))
