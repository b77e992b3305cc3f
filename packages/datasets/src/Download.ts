/**
 * Downloads dataset files into a cache folder, on Effect's HTTP client.
 *
 * A file is fetched into `<name>.part`, resuming with an HTTP Range request
 * when a partial file is there and the server answers 206. The transfer is
 * bounded: every file has an exact official size or an upper bound, and a
 * response that announces or sends more is cut off; one that ends short of
 * its Content-Length is resumed. The whole file is then checked (its official
 * md5, of the file or of its gunzipped bytes; or, for files with no published
 * checksum such as NORB's, its structure: header, dimensions, length) and
 * only then renamed to its final name and stamped (`<name>.verified`: size,
 * modification time and what was checked), so a name in the cache always
 * holds a checked file. A file found in the cache without a matching stamp
 * (copied there by hand, or stamped by an older, weaker check) is checked
 * before it is used.
 *
 * Each address is tried a few times, then the next mirror; a failure lists
 * every address with its own reason. A full disk stops at once and removes
 * the partial file. One process at a time fills a file: `<name>.part.lock`
 * holds the owner's pid; another process waits for it and then uses the
 * finished file, and a lock whose owner died is taken over.
 *
 * Files without an official checksum also get their sha256 recorded beside
 * them once checked (`<name>.sha256`), and `verify` re-checks against it.
 *
 * The cache folder and whether downloads are off are the options' when they
 * give them, else the environment's (`DataSourceConfig.ts`).
 */
import { createHash } from "node:crypto"
import { createReadStream, existsSync } from "node:fs"
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs"
import { mkdir, rename, rm } from "node:fs/promises"
import { hostname } from "node:os"
import { dirname, join } from "node:path"
import { pipeline } from "node:stream"
import { createGunzip } from "node:zlib"
import { NodeServices } from "@effect/platform-node"
import { writeFileAtomic } from "@rectifier/core"
import { Duration, Effect, Stream } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import {
  CacheWriteFailed,
  ChecksumMismatch,
  DatasetFileUnreadable,
  type DatasetError,
  DiskFull,
  DownloadFailed,
  DownloadTooLarge,
  MalformedFile,
  NotCached,
  SourceFailed,
  type SourceFailure
} from "./DatasetError.ts"
import { resolveDataSource } from "./DataSourceConfig.ts"

/** A file's official checksum, which its bytes must match before the cache keeps it. */
export interface FileChecksum {
  readonly algorithm: "md5" | "sha256"
  /** The digest in lowercase hex. */
  readonly value: string
  /** Whether the digest is of the file as stored or of its gunzipped bytes. */
  readonly of: "file" | "gunzipped"
}

/** What a file with no published checksum must hold before it is trusted. */
export interface FileStructure {
  /** What a valid file holds, e.g. "NORB uint8 matrix 24300x2x96x96, gzipped". */
  readonly description: string
  /** Fails (`MalformedFile` naming `path`) unless the file at `path` has the structure. */
  readonly check: (path: string) => Effect.Effect<void, DatasetError>
}

/** A file's official size, or (when none is published) the most bytes it can have. */
export type FileSize =
  | { readonly exact: number }
  | { readonly atMost: number; readonly basis: string }

interface RemoteFileBase {
  /** The dataset the file belongs to, for messages. */
  readonly dataset: string
  /** Path inside the cache folder, e.g. `cifar10/cifar-10-binary.tar.gz`. */
  readonly path: string
  /** Path appended to a mirror's base URL. */
  readonly remotePath: string
  /** Default base URLs, tried after any configured mirrors. */
  readonly mirrors: ReadonlyArray<string>
  readonly size: FileSize
}

/** A file the cache can hold, where to download it from, and how it is checked: its official checksum, else its structure. */
export type RemoteFile = RemoteFileBase & (
  | { readonly checksum: FileChecksum; readonly structure?: undefined }
  | { readonly checksum?: undefined; readonly structure: FileStructure }
)

/**
 * How far one response's transfer has got, handed to `CacheOptions.onProgress`
 * at most every 500 ms, and once more (`done`) when the response was read to
 * its end; `formatProgress` makes it a line.
 */
export interface Progress {
  /** The file's path inside the cache folder. */
  readonly file: string
  /** The address sending it. */
  readonly url: string
  /** Bytes of the file on disk so far (including a resumed part). */
  readonly received: number
  /** Bytes of the whole file, from the response's Content-Length; undefined when it gives none. */
  readonly total: number | undefined
  /** This response's rate, not counting the bytes of a resumed part. */
  readonly bytesPerSecond: number
  /** Seconds left at that rate; undefined without a `total` or before any byte arrived. */
  readonly etaSeconds: number | undefined
  /** True in the report sent when the response was read to its end. */
  readonly done: boolean
}

/** Another process holds a file's download lock; this one waits for it. */
export interface Waiting {
  readonly file: string
  readonly lock: string
  /** The lock's content: the owner's pid and host. */
  readonly owner: string
}

/**
 * Where dataset files are cached and how missing ones are downloaded: the
 * options of `ensureFile`, and the cache part of `LoadOptions`. Every field
 * may be left out.
 */
export interface CacheOptions {
  /** The cache folder; when left out, the environment's (see `resolveDataSource`). */
  readonly dataDir?: string | undefined
  /** Base URLs tried before each file's default addresses. */
  readonly mirrors?: ReadonlyArray<string> | undefined
  /** Never download: a missing file is an error saying where to put it. When left out, `RECTIFIER_OFFLINE` decides. */
  readonly offline?: boolean | undefined
  /** Tries per address (default 4); each try resumes the previous one's partial file. */
  readonly attempts?: number | undefined
  /** Called with each `Progress` report of a download; nothing is reported when left out. */
  readonly onProgress?: ((progress: Progress) => void) | undefined
  /** Called once when another process is downloading the same file and this one starts waiting. */
  readonly onWaiting?: ((waiting: Waiting) => void) | undefined
  /** A connection that sends nothing for this long is dropped and retried (default 60). */
  readonly idleTimeoutSeconds?: number | undefined
}

/** Where `file` lies in the cache folder `dataDir` (see `resolveDataSource`). */
export const cachePath = (file: RemoteFile, dataDir: string): string => join(dataDir, file.path)

/** The addresses `file` is downloaded from, in the order tried: each of the options' mirrors, then its own. */
export const urlsOf = (file: RemoteFile, options: CacheOptions): Array<string> =>
  [...(options.mirrors ?? []), ...file.mirrors].map((base) => `${base.replace(/\/+$/, "")}/${file.remotePath}`)

/** An error's message, with its cause's (a transport error's DNS or socket failure). */
const message = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error)
  const cause = error instanceof Error ? error.cause : undefined
  const inner = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : undefined
  return inner === undefined || text.includes(inner) ? text : `${text}: ${inner}`
}

/** The innermost cause's message: "getaddrinfo ENOTFOUND host", "other side closed". */
const innermost = (error: unknown): string => {
  let e = error
  while (e instanceof Error && e.cause instanceof Error) e = e.cause
  return e instanceof Error ? e.message : String(e)
}

/** ENOSPC or EDQUOT when `error` (or an error it wraps) is a full disk or quota. */
const diskFullCode = (error: unknown): string | undefined => {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (code === "ENOSPC" || code === "EDQUOT") return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** A failed write as a typed error: `DiskFull` for a full disk, else the file and the reason. */
const writeFailure = (path: string, error: unknown, written?: number): DiskFull | CacheWriteFailed => {
  const code = diskFullCode(error)
  return code === undefined
    ? new CacheWriteFailed({ path, reason: innermost(error) })
    : new DiskFull({ path, code, ...(written === undefined ? {} : { written }) })
}

/** Streams a file (or its gunzipped bytes) through a hash. */
export const hashFile = (path: string, algorithm: "md5" | "sha256", of: "file" | "gunzipped" = "file") =>
  Effect.tryPromise({
    try: async (signal) => {
      const hash = createHash(algorithm)
      const raw = createReadStream(path, { highWaterMark: 1 << 20, signal })
      let stream: AsyncIterable<Buffer> = raw
      if (of === "gunzipped") {
        const gunzip = createGunzip()
        pipeline(raw, gunzip, () => {})
        stream = gunzip
      }
      for await (const chunk of stream) hash.update(chunk)
      return hash.digest("hex")
    },
    catch: (error) => new DatasetFileUnreadable({ file: path, reason: message(error) })
  })

const sidecar = (path: string) => `${path}.sha256`

const writeSmall = (path: string, text: string) =>
  writeFileAtomic(path, text).pipe(
    Effect.provide(NodeServices.layer),
    Effect.mapError((error) => writeFailure(path, error))
  )

/** Records the sha256 of a file that has no official checksum. */
const record = (path: string, sha256: string) => writeSmall(sidecar(path), `${sha256}\n`)

/** What a file was checked against, as written in its stamp. */
const checkedBy = (file: RemoteFile): string =>
  file.checksum === undefined
    ? `structure ${file.structure.description}`
    : `${file.checksum.algorithm} of ${file.checksum.of} ${file.checksum.value}`

/**
 * A checked file's stamp: its size and modification time when it passed its
 * checks, and what they were. A cache hit with a matching stamp is trusted
 * without re-reading; a stamp from a different check is not.
 */
const stampPath = (path: string) => `${path}.verified`
/** The text of the `.verified` stamp that a file at `path` gets once it has passed `file`'s checks. */
export const stampOf = (path: string, file: RemoteFile): string => {
  const stat = statSync(path)
  return `${stat.size} ${Math.floor(stat.mtimeMs)} ${checkedBy(file)}`
}
const isStamped = (path: string, file: RemoteFile): boolean => {
  try {
    return readFileSync(stampPath(path), "utf8") === stampOf(path, file)
  } catch {
    return false
  }
}
const stamp = (path: string, file: RemoteFile) => writeSmall(stampPath(path), stampOf(path, file))

/** The most bytes `file` may have, and where that limit comes from. */
const limitOf = (file: RemoteFile): { readonly limit: number; readonly basis: string } =>
  "exact" in file.size
    ? { limit: file.size.exact, basis: "the official size" }
    : { limit: file.size.atMost, basis: file.size.basis }

const checkSize = (path: string, file: RemoteFile): Effect.Effect<void, DatasetError> => {
  const size = statSync(path, { throwIfNoEntry: false })?.size
  if (size === undefined) return Effect.fail(new DatasetFileUnreadable({ file: path, reason: "no such file" }))
  if ("exact" in file.size) {
    return size === file.size.exact
      ? Effect.void
      : Effect.fail(new ChecksumMismatch({ file: path, algorithm: "size", expected: String(file.size.exact), actual: String(size) }))
  }
  return size <= file.size.atMost
    ? Effect.void
    : Effect.fail(new MalformedFile({ file: path, problem: `holds ${size} bytes, more than the ${file.size.atMost} it can (${file.size.basis})` }))
}

/** The result of a check: the digest compared, and against what. */
export interface Verified {
  readonly algorithm: string
  readonly digest: string
  /** `official`: the published checksum; `structure`: the structure check, plus the sha256 recorded at download when there is one. */
  readonly against: "official" | "structure"
}

/**
 * Checks a file against its official checksum; a file with none, against
 * its structure and then the sha256 recorded when it was downloaded.
 */
export const verifyFile: (path: string, file: RemoteFile) => Effect.Effect<Verified, DatasetError> = Effect.fn("Download.verifyFile")(
  function*(path: string, file: RemoteFile) {
    yield* checkSize(path, file)
    if (file.checksum !== undefined) {
      const { algorithm, of, value } = file.checksum
      const actual = yield* hashFile(path, algorithm, of)
      const label = of === "gunzipped" ? `${algorithm} of the gunzipped bytes` : algorithm
      if (actual !== value) return yield* new ChecksumMismatch({ file: path, algorithm: label, expected: value, actual })
      return { algorithm: label, digest: actual, against: "official" as const }
    }
    yield* file.structure.check(path)
    const actual = yield* hashFile(path, "sha256")
    const recorded = existsSync(sidecar(path)) ? readFileSync(sidecar(path), "utf8").trim() : undefined
    if (recorded !== undefined && actual !== recorded) {
      return yield* new ChecksumMismatch({ file: path, algorithm: "sha256 (recorded at download)", expected: recorded, actual })
    }
    return { algorithm: recorded === undefined ? "sha256 (not recorded)" : "sha256 (recorded)", digest: actual, against: "structure" as const }
  }
)

/** Retry only what a retry can fix: a lost connection or a server error, not a 404 or a wrong file. */
const transient = (error: DatasetError | SourceFailure): boolean => error._tag === "SourceFailed" && error.transient

/** One request for `url`, appended to `part` from where it stopped. */
const attempt = (url: string, part: string, file: RemoteFile, options: CacheOptions) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const fail = (reason: string, again = true) => new SourceFailed({ url, reason, transient: again })
    const { basis, limit } = limitOf(file)
    const tooLarge = (received: number, announced: boolean, by = { limit, basis }) =>
      new DownloadTooLarge({ file: file.path, url, limit: by.limit, basis: by.basis, received, announced })
    const existing = statSync(part, { throwIfNoEntry: false })?.size ?? 0
    const request = existing > 0
      ? HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("range", `bytes=${existing}-`))
      : HttpClientRequest.get(url)
    const idle = Duration.seconds(options.idleTimeoutSeconds ?? 60)
    const stalled = () => fail(`no data for ${Duration.toSeconds(idle)} s`)
    const response = yield* client.execute(request).pipe(
      Effect.mapError((error) => fail(innermost(error))),
      Effect.timeoutOrElse({ duration: idle, orElse: () => Effect.fail(stalled()) })
    )
    let start = 0
    if (response.status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers["content-range"] ?? "")
      if (range === null || Number(range[1]) !== existing) {
        // Not the bytes asked for: drop the partial file so the next try starts afresh.
        yield* Effect.promise(() => rm(part, { force: true }))
        return yield* fail(`bad Content-Range "${response.headers["content-range"]}" for a resume from ${existing}`)
      }
      const whole = range[3] === "*" ? Number(range[2]) + 1 : Number(range[3])
      if (whole > limit) return yield* tooLarge(whole, true)
      start = existing
    } else if (response.status === 416 && existing > 0) {
      return // The partial file is already whole; the checks decide.
    } else if (response.status !== 200) {
      return yield* fail(`HTTP ${response.status}`, response.status >= 500)
    }
    const header = response.headers["content-length"]
    const total = header !== undefined && /^\d+$/.test(header) ? start + Number(header) : undefined
    if (total !== undefined && total > limit) return yield* tooLarge(total, true)
    if (total !== undefined && "exact" in file.size && total !== file.size.exact) {
      return yield* fail(`announces ${total} bytes, the file has ${file.size.exact} (the official size)`, false)
    }
    // The Content-Length, when given, is the bound for this response; else the file's limit.
    const bound = total === undefined ? { limit, basis } : { limit: total, basis: "the response's Content-Length" }
    const fd = yield* Effect.try({
      try: () => openSync(part, start === 0 ? "w" : "a"),
      catch: (error) => writeFailure(part, error)
    })
    const began = Date.now()
    let received = start
    let reported = 0
    const report = (done: boolean) => {
      const now = Date.now()
      if (options.onProgress === undefined || (!done && now - reported < 500)) return
      reported = now
      const rate = (received - start) / Math.max(1e-3, (now - began) / 1000)
      options.onProgress({
        file: file.path,
        url,
        received,
        total,
        bytesPerSecond: rate,
        etaSeconds: total === undefined || rate <= 0 ? undefined : (total - received) / rate,
        done
      })
    }
    yield* response.stream.pipe(
      Stream.mapError((error) => fail(`connection lost after ${received} bytes (${innermost(error)})`)),
      Stream.timeoutOrElse({ duration: idle, orElse: () => Stream.fail(stalled()) }),
      Stream.runForEach((chunk): Effect.Effect<void, DownloadTooLarge | DiskFull | CacheWriteFailed> =>
        received + chunk.length > bound.limit
          ? Effect.fail(tooLarge(received + chunk.length, false, bound))
          : Effect.try({ try: () => writeSync(fd, chunk), catch: (error) => writeFailure(part, error, received) }).pipe(
            Effect.map(() => {
              received += chunk.length
              report(false)
            })
          )
      ),
      Effect.ensuring(Effect.sync(() => closeSync(fd))),
      // A lying server: what it sent is not the file; drop it so no try resumes it.
      Effect.tapError((error) => error._tag === "DownloadTooLarge" ? Effect.promise(() => rm(part, { force: true })) : Effect.void)
    )
    if (total !== undefined && received < total) return yield* fail(`connection closed after ${received} of ${total} bytes`)
    if ("exact" in file.size && received < file.size.exact) {
      return yield* fail(`the response ended after ${received} of the file's ${file.size.exact} bytes`)
    }
    report(true)
  })

/** The lock on a file's partial download: exclusive creation, holding the owner's pid and host. */
const lockPath = (destination: string) => `${destination}.part.lock`
const ownerLine = () => `${process.pid} ${hostname()}\n`

/** Whether the lock's owner is a dead process on this host (a lock from another host is never presumed dead). */
const ownerDead = (owner: string): boolean => {
  const [pid, host] = owner.trim().split(" ")
  if (host !== hostname() || !/^\d+$/.test(pid ?? "")) return false
  try {
    process.kill(Number(pid), 0)
    return false
  } catch (error) {
    return (error as { code?: unknown }).code === "ESRCH"
  }
}

/**
 * Removes a stale lock whose content is `owner`. It is first renamed aside,
 * so of two processes taking it over only one removes it; if what was moved
 * is not the stale lock (a live owner took it meanwhile), it is put back.
 */
const takeOver = (lock: string, owner: string): void => {
  const aside = `${lock}.stale-${process.pid}`
  try {
    renameSync(lock, aside)
  } catch {
    return // Gone already: someone else took it over.
  }
  try {
    if (readFileSync(aside, "utf8") !== owner) linkSync(aside, lock)
  } catch {
    // A newer lock is in place; the moved one is dropped.
  } finally {
    unlinkSync(aside)
  }
}

/**
 * Holds the download lock of `destination` for the scope, waiting while a
 * live process holds it. The lock is created whole (written aside, then
 * hard-linked into place, which fails when it exists), so it is never seen
 * empty.
 */
const acquireLock = (destination: string, file: RemoteFile, options: CacheOptions) => {
  const lock = lockPath(destination)
  /** Undefined when this process now holds the lock, else the holder's line ("" when it just went away). */
  const tryCreate = Effect.try({
    try: (): string | undefined => {
      const aside = `${lock}.${process.pid}`
      try {
        writeFileSync(aside, ownerLine())
        linkSync(aside, lock)
        return undefined
      } catch (error) {
        if ((error as { code?: unknown }).code !== "EEXIST") throw error
        try {
          return readFileSync(lock, "utf8")
        } catch {
          return ""
        }
      } finally {
        rmSync(aside, { force: true })
      }
    },
    catch: (error) => writeFailure(lock, error)
  })
  const acquire = Effect.gen(function*() {
    let waiting = false
    while (true) {
      const owner = yield* tryCreate
      if (owner === undefined) return
      if (ownerDead(owner)) {
        takeOver(lock, owner)
        continue
      }
      if (!waiting && owner !== "") {
        waiting = true
        options.onWaiting?.({ file: file.path, lock, owner: owner.trim() })
      }
      // The acquisition itself is uninterruptible (no lock is left unreleased); the wait is not.
      yield* Effect.interruptible(Effect.sleep(Duration.millis(200)))
    }
  })
  return Effect.acquireRelease(acquire, () => Effect.sync(() => rmLockIfOurs(lock)))
}

const rmLockIfOurs = (lock: string): void => {
  try {
    if (readFileSync(lock, "utf8") === ownerLine()) unlinkSync(lock)
  } catch {
    // Already gone.
  }
}

/** A file in the cache: trusted when stamped by the same check, else checked (and stamped) first. */
const trustCached = (destination: string, file: RemoteFile) =>
  Effect.gen(function*() {
    if (isStamped(destination, file)) return destination
    const verified = yield* verifyFile(destination, file)
    if (file.checksum === undefined && !existsSync(sidecar(destination))) yield* record(destination, verified.digest)
    yield* stamp(destination, file)
    return destination
  })

/**
 * Downloads `file` from `url` into `part` and checks it; returns the sha256
 * for files without an official checksum. `source` names who sent the bytes
 * of the partial file (several addresses when one resumed another's).
 */
const fromSource = (url: string, part: string, destination: string, file: RemoteFile, options: CacheOptions, source: string) =>
  Effect.gen(function*() {
    const attempts = Math.max(1, options.attempts ?? 4)
    for (let i = 0; ; i++) {
      const result = yield* Effect.result(attempt(url, part, file, options))
      if (result._tag === "Success") break
      if (!transient(result.failure) || i + 1 >= attempts) return yield* result.failure
      yield* Effect.sleep(Duration.millis(100 * 2 ** i))
    }
    const checked = yield* Effect.result(verifyFile(part, file))
    if (checked._tag === "Success") return checked.success.digest
    yield* Effect.promise(() => rm(part, { force: true }))
    const error = checked.failure
    if (error._tag === "ChecksumMismatch") {
      const { actual, algorithm, expected } = error
      return yield* new ChecksumMismatch({ file: destination, algorithm, expected, actual, source })
    }
    if (error._tag === "MalformedFile") return yield* new MalformedFile({ file: destination, problem: error.problem, source })
    return yield* error
  })

const isSourceFailure = (error: DatasetError | SourceFailure): error is SourceFailure =>
  error._tag === "SourceFailed" || error._tag === "DownloadTooLarge" || error._tag === "ChecksumMismatch" ||
  error._tag === "MalformedFile"

/**
 * Downloads into the cache under the lock: each address in turn, keeping
 * each one's failure. A failure that is no address's fault (a full disk, an
 * unwritable folder) stops at once and leaves no partial file; when every
 * address failed, the partial file stays for the next run to resume.
 */
const download = (file: RemoteFile, destination: string, urls: ReadonlyArray<string>, options: CacheOptions) => {
  const part = `${destination}.part`
  return Effect.gen(function*() {
    const failures: Array<SourceFailure> = []
    let senders = existsSync(part) ? ["an earlier run's partial download"] : []
    for (const url of urls) {
      if (!existsSync(part)) senders = []
      senders.push(url)
      const result = yield* Effect.result(fromSource(url, part, destination, file, options, senders.join(" and ")))
      if (result._tag === "Failure") {
        if (!isSourceFailure(result.failure)) return yield* result.failure
        failures.push(result.failure)
        continue
      }
      if (file.checksum === undefined) yield* record(destination, result.success)
      yield* Effect.tryPromise({
        try: () => rename(part, destination),
        catch: (error) => writeFailure(destination, error)
      })
      yield* stamp(destination, file)
      return destination
    }
    return yield* new DownloadFailed({ dataset: file.dataset, file: file.path, sources: failures, destination })
  }).pipe(
    Effect.tapError((error) => error._tag === "DownloadFailed" ? Effect.void : Effect.promise(() => rm(part, { force: true })))
  )
}

/**
 * The path of `file` in the cache, downloading and checking it first when
 * it is not there (unless offline). The returned file has passed its checks.
 */
export const ensureFile: (file: RemoteFile, options?: CacheOptions) => Effect.Effect<string, DatasetError, HttpClient.HttpClient> =
  Effect.fn("Download.ensureFile")(function*(file: RemoteFile, options: CacheOptions = {}) {
    const source = yield* resolveDataSource(options)
    const destination = cachePath(file, source.dataDir)
    // A file put there by hand (as the offline error suggests) is checked once, then stamped.
    if (existsSync(destination)) return yield* trustCached(destination, file)
    const urls = urlsOf(file, options)
    if (urls.length === 0 || source.offline) {
      return yield* new NotCached({ file: file.path, url: urls[0] ?? file.remotePath, destination })
    }
    yield* Effect.tryPromise({
      try: () => mkdir(dirname(destination), { recursive: true }),
      catch: (error) => writeFailure(dirname(destination), error)
    })
    return yield* Effect.scoped(Effect.gen(function*() {
      yield* acquireLock(destination, file, options)
      // Whoever held the lock may have finished the file meanwhile.
      if (existsSync(destination)) return yield* trustCached(destination, file)
      return yield* download(file, destination, urls, options)
    }))
  })

/** A one-line progress report: bytes, rate and time left. */
export const formatProgress = (progress: Progress): string => {
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1)
  const of = progress.total === undefined ? "" : `/${mib(progress.total)}`
  const eta = progress.etaSeconds === undefined ? "" : `, ${Math.ceil(progress.etaSeconds)} s left`
  return `${progress.file}: ${mib(progress.received)}${of} MiB at ${mib(progress.bytesPerSecond)} MiB/s${eta}${progress.done ? " (done)" : ""}`
}
