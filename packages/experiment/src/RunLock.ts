/**
 * The lock that keeps two writers off one run folder: `run.lock`, holding
 * the writing process's id, its start time (field 22 of /proc/<pid>/stat,
 * so a reused id is not mistaken for the writer) and a random token.
 *
 * - Created whole and exclusively: the lock is written to a private file and
 *   hard-linked to `run.lock` (link fails if it exists), so no reader ever
 *   sees an empty or half-written lock.
 * - Stale when its process is gone (or a zombie: exited, not yet reaped), or when a process with its id runs but
 *   started at another time (the id was reused: a container's pid 1, a
 *   reboot). A lock from before start times were stored (a bare pid) is
 *   stale when the process with that id started after the lock was written.
 * - Taken over under a marker: to replace or remove a stale lock with token
 *   T, a process first creates `run.lock.takeover-T` exclusively (itself a
 *   lock, naming that process), then checks that `run.lock` still holds T,
 *   moves it aside and links its own lock in exclusively, and deletes the
 *   marker. While it holds the marker nobody else can change `run.lock`:
 *   T's holder is dead, any other change of T needs the marker, and a fresh
 *   lock needs `run.lock` absent (if one gets in while ours is not yet
 *   linked, it wins and we lose). So of any number of processes taking over
 *   one stale lock, at most one wins, however they interleave.
 * - A marker left by a process killed mid-takeover is itself a stale lock,
 *   taken over the same way (under its own marker); one left at that second
 *   level (two processes killed mid-takeover of the same lock) fails with
 *   `RunLockStuck`, naming the file to delete, rather than guess.
 * - Released, by its holder or by the sweep whose worker held it, under the
 *   same marker, and only while it still holds the releaser's token.
 * - A process killed between writing a private file and deleting it leaves
 *   `run.lock….new-<token>` or `….stale-<token>` behind; whoever takes the
 *   lock next deletes those whose writer no longer runs.
 *
 * A sweep locks a run in the name of its worker process, which writes the
 * folder, so the lock stays valid exactly as long as the writer lives.
 */
import { Effect, Schema } from "effect"
import { createHash, randomUUID } from "node:crypto"
import { linkSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"

/**
 * A run folder whose lock a live process holds (`pid`), or one that changed
 * hands while this process tried to take it over (`pid` 0).
 */
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

/** A marker left by processes killed while they took over `folder`'s lock: nothing can tell whether it is safe to remove. */
export class RunLockStuck extends Schema.TaggedError<RunLockStuck>()("RunLockStuck", {
  folder: Schema.String,
  marker: Schema.String
}) {
  override get message(): string {
    return `run folder ${this.folder}: ${this.marker} was left by processes killed while they took over its stale lock; ` +
      `nothing was run. Make sure no sweep or resume is writing ${this.folder}, delete ${this.marker}, and run again`
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

/** Field 3 of /proc/<pid>/stat: "Z" for a zombie (exited, not yet reaped by its parent); undefined where /proc is absent. */
const processState = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]
  } catch {
    return undefined
  }
}

/** Whether `pid` runs: a zombie (a killed run whose parent has not reaped it yet) writes nothing and does not count. */
const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
  return processState(pid) !== "Z"
}

/** What a lock file may hold: every field optional, so a foreign or damaged file reads as naming no live process. */
const LockFile = Schema.Struct({
  pid: Schema.optionalKey(Schema.Int),
  start: Schema.optionalKey(Schema.Number),
  token: Schema.optionalKey(Schema.String)
})
const decodeLockFile = Schema.decodeUnknownOption(Schema.fromJsonString(LockFile))

const parse = (text: string): Partial<LockContent> => {
  const bare = text.trim()
  if (/^\d+$/.test(bare)) return { pid: Number(bare) }
  const decoded = decodeLockFile(text)
  return decoded._tag === "Some" ? decoded.value : {}
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
    // ENOENT: our private file was deleted as a leftover (the holder it names is gone): nothing was created.
    const code = (error as NodeJS.ErrnoException).code
    if (code === "EEXIST" || code === "ENOENT") return false
    throw error
  } finally {
    rmSync(own, { force: true })
  }
}

/** What trying to create a lock file came to. */
type Claim =
  | { readonly _tag: "Held" }
  | { readonly _tag: "Busy"; readonly pid: number }
  | { readonly _tag: "Stuck"; readonly marker: string }

const held: Claim = { _tag: "Held" }
/** Another process changed or is changing the lock: it is theirs. */
const changedHands: Claim = { _tag: "Busy", pid: -1 }

/** Takeover markers of markers, at most: run.lock (level 0), its marker (1), that marker's marker (2). */
const deepestMarker = 2

const lockText = (holder: LockHolder, token: string): string =>
  JSON.stringify({ pid: holder.pid, start: holder.start, token }) + "\n"

/** The name of the marker under which the stale lock `file` (content `text`) is taken over: its token, else a hash. */
const markerOf = (file: string, text: string): string => {
  const token = parse(text).token
  const id = typeof token === "string" && /^[\w-]{1,64}$/.test(token)
    ? token
    : createHash("sha256").update(text).digest("hex").slice(0, 16)
  return `${file}.takeover-${id}`
}

/**
 * Runs `action` holding the takeover marker of the stale lock `file`
 * (content `stale`), if `file` still holds `stale` once the marker is ours;
 * "changed" when it does not. The marker is deleted afterwards.
 */
const underMarker = (file: string, stale: string, level: number, action: () => Claim): Claim | "changed" => {
  if (level >= deepestMarker) return { _tag: "Stuck", marker: file }
  const marker = markerOf(file, stale)
  const token = randomUUID()
  const claimed = claim(marker, lockText(currentProcess(), token), token, level + 1)
  if (claimed._tag === "Stuck") return claimed
  if (claimed._tag === "Busy") return changedHands
  try {
    return read(file) === stale ? action() : "changed"
  } finally {
    // Ours, and we are alive: nobody else removes or replaces it.
    rmSync(marker, { force: true })
  }
}

/** Under the marker of `file`'s stale lock: moves it aside and links ours in; a fresh lock that got in first wins. */
const replace = (file: string, text: string, token: string) => (): Claim => {
  const aside = `${file}.stale-${token}`
  renameSync(file, aside)
  rmSync(aside, { force: true })
  return createWhole(file, text, token) ? held : changedHands
}

/** Creates the lock `file` holding `text`, taking over a stale one; `level` counts the markers above it. */
const claim = (file: string, text: string, token: string, level: number): Claim => {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createWhole(file, text, token)) return held
    const existing = read(file)
    if (existing === undefined) continue // released between our attempt and the read: try again
    const state = live(file, existing)
    if (state.live) return { _tag: "Busy", pid: state.pid }
    const outcome = underMarker(file, existing, level, replace(file, text, token))
    if (outcome !== "changed") return outcome
  }
  return changedHands
}

/** Removes the lock `file` if it still holds `text`, under its marker; leaves it to whoever else is taking it over. */
const remove = (file: string, text: string): void => {
  underMarker(file, text, 0, () => {
    rmSync(file, { force: true })
    return held
  })
}

/** The private files of lock claims (`.new-`, `.stale-`) in `folder` whose writers were killed before deleting them. */
const clearLeftovers = (folder: string): void => {
  for (const name of readdirSync(folder)) {
    if (!/^run\.lock(\.takeover-[\w-]+)*\.(new|stale)-[\w-]+$/.test(name)) continue
    const file = join(folder, name)
    const text = read(file)
    if (text !== undefined && !live(file, text).live) rmSync(file, { force: true })
  }
}

/** Removes `folder`'s lock if the process that held it is gone (a sweep killed after its run finished). */
export const clearStaleLock = (folder: string): void => {
  const file = join(folder, "run.lock")
  const text = read(file)
  if (text !== undefined && !live(file, text).live) remove(file, text)
}

/**
 * Takes the lock of `folder` for `holder` (this process by default) without
 * releasing it; its token, `RunLocked` if a live process holds it or takes
 * it over, or `RunLockStuck` naming a takeover marker left by killed processes.
 */
export const takeRunLock = (folder: string, holder: LockHolder = currentProcess()) =>
  Effect.suspend((): Effect.Effect<string, RunLocked | RunLockStuck> => {
    const token = randomUUID()
    const outcome = claim(join(folder, "run.lock"), lockText(holder, token), token, 0)
    switch (outcome._tag) {
      case "Held":
        clearLeftovers(folder)
        return Effect.succeed(token)
      case "Busy":
        return Effect.fail(new RunLocked({ folder, pid: outcome.pid }))
      case "Stuck":
        return Effect.fail(new RunLockStuck({ folder, marker: outcome.marker }))
    }
  })

/** Releases the lock of `folder` if it still holds `token`. */
export const releaseRunLock = (folder: string, token: string): void => {
  const file = join(folder, "run.lock")
  const text = read(file)
  if (text !== undefined && parse(text).token === token) remove(file, text)
}

/** Holds the lock of `folder` for the enclosing scope (for `holder`, this process by default); fails as `takeRunLock` does. */
export const acquireRunLock = (folder: string, holder?: LockHolder) =>
  Effect.acquireRelease(takeRunLock(folder, holder), (token) => Effect.sync(() => releaseRunLock(folder, token)))
