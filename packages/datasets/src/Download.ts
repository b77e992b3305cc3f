/**
 * Downloads dataset files into a cache folder, on Effect's HTTP client.
 *
 * A file is fetched into `<name>.part`, resuming with an HTTP Range request
 * when a partial file is there and the server answers 206; it is checked
 * (size, then the official md5/sha256, of the file or of its gunzipped bytes)
 * and only then renamed to its final name and stamped (`<name>.verified`:
 * size and modification time), so a name in the cache always holds a
 * verified file. A failed check deletes the partial file. A file found in
 * the cache without a matching stamp (copied there by hand) is verified
 * before it is used. Each
 * address is tried a few times (a cut connection resumes where it stopped),
 * then the next mirror. With downloads off, a missing file fails with the
 * address to fetch and the path to put it at.
 *
 * A few upstream files (NORB) have no published checksum: their sha256 is
 * recorded beside them on first download (`<name>.sha256`) and `verify`
 * re-checks against that record.
 */
import { createHash } from "node:crypto"
import { createReadStream, existsSync } from "node:fs"
import { closeSync, openSync, readFileSync, statSync, writeSync } from "node:fs"
import { mkdir, readFile, rename, rm } from "node:fs/promises"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { pipeline } from "node:stream"
import { createGunzip } from "node:zlib"
import { NodeServices } from "@effect/platform-node"
import { writeFileAtomic } from "@rectifier/core"
import { Duration, Effect, Stream } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { ChecksumMismatch, DatasetFileUnreadable, type DatasetError, DownloadFailed, NotCached } from "./DatasetError.ts"

export interface FileChecksum {
  readonly algorithm: "md5" | "sha256"
  readonly value: string
  /** Whether the digest is of the file as stored or of its gunzipped bytes. */
  readonly of: "file" | "gunzipped"
}

/** A file the cache can hold, and where to download it from. */
export interface RemoteFile {
  /** Path inside the cache folder, e.g. `cifar10/cifar-10-binary.tar.gz`. */
  readonly path: string
  /** Path appended to a mirror's base URL. */
  readonly remotePath: string
  /** Default base URLs, tried after any configured mirrors. */
  readonly mirrors: ReadonlyArray<string>
  readonly size?: number | undefined
  readonly checksum?: FileChecksum | undefined
}

export interface Progress {
  readonly file: string
  readonly url: string
  /** Bytes of the file on disk so far (including a resumed part). */
  readonly received: number
  readonly total: number | undefined
  readonly bytesPerSecond: number
  readonly etaSeconds: number | undefined
  readonly done: boolean
}

export interface CacheOptions {
  /** The cache folder; see `defaultDataDir`. */
  readonly dataDir?: string | undefined
  /** Base URLs tried before each file's default addresses. */
  readonly mirrors?: ReadonlyArray<string> | undefined
  /** Never download: a missing file is an error saying where to put it. */
  readonly offline?: boolean | undefined
  /** Tries per address; each try resumes the previous one's partial file. */
  readonly attempts?: number | undefined
  readonly onProgress?: ((progress: Progress) => void) | undefined
  /** A connection that sends nothing for this long is dropped and retried (default 60). */
  readonly idleTimeoutSeconds?: number | undefined
}

/** `$RECTIFIER_DATA_DIR`, else `$XDG_CACHE_HOME/rectifier/datasets`, else `~/.cache/rectifier/datasets`. */
export const defaultDataDir = (): string =>
  process.env.RECTIFIER_DATA_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "rectifier", "datasets")

export const cachePath = (file: RemoteFile, options: CacheOptions): string =>
  join(options.dataDir ?? defaultDataDir(), file.path)

export const urlsOf = (file: RemoteFile, options: CacheOptions): Array<string> =>
  [...(options.mirrors ?? []), ...file.mirrors].map((base) => `${base.replace(/\/+$/, "")}/${file.remotePath}`)

/** An error's message, with its cause's (a transport error's DNS or socket failure). */
const message = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error)
  const cause = error instanceof Error ? error.cause : undefined
  const inner = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : undefined
  return inner === undefined || text.includes(inner) ? text : `${text}: ${inner}`
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
    Effect.mapError((error) => new DatasetFileUnreadable({ file: path, reason: message(error) }))
  )

/** Records the sha256 of a file that has no official checksum. */
const record = (path: string, sha256: string) => writeSmall(sidecar(path), `${sha256}\n`)

/**
 * A verified file's stamp: its size and modification time when it passed its
 * checks. A cache hit with a matching stamp is trusted without re-hashing.
 */
const stampPath = (path: string) => `${path}.verified`
const stampOf = (path: string): string => {
  const stat = statSync(path)
  return `${stat.size} ${Math.floor(stat.mtimeMs)}`
}
const isStamped = (path: string): boolean => {
  try {
    return readFileSync(stampPath(path), "utf8") === stampOf(path)
  } catch {
    return false
  }
}
const stamp = (path: string) => writeSmall(stampPath(path), stampOf(path))

/** Checks a file against its official checksum, or against the sha256 recorded at download. */
export const verifyFile = (
  path: string,
  file: RemoteFile
): Effect.Effect<{ readonly algorithm: string; readonly digest: string; readonly against: "official" | "recorded" }, DatasetError> =>
  Effect.gen(function*() {
    if (file.size !== undefined) {
      const size = statSync(path, { throwIfNoEntry: false })?.size
      if (size !== file.size) {
        return yield* new ChecksumMismatch({ file: path, algorithm: "size", expected: String(file.size), actual: String(size) })
      }
    }
    if (file.checksum !== undefined) {
      const { algorithm, of, value } = file.checksum
      const actual = yield* hashFile(path, algorithm, of)
      const label = of === "gunzipped" ? `${algorithm} of the gunzipped bytes` : algorithm
      if (actual !== value) return yield* new ChecksumMismatch({ file: path, algorithm: label, expected: value, actual })
      return { algorithm: label, digest: actual, against: "official" as const }
    }
    const recorded = yield* Effect.tryPromise({
      try: () => readFile(sidecar(path), "utf8"),
      catch: () => new DatasetFileUnreadable({ file: sidecar(path), reason: "no recorded sha256 (the file has no official checksum and was not downloaded by this tool)" })
    })
    const actual = yield* hashFile(path, "sha256")
    if (actual !== recorded.trim()) {
      return yield* new ChecksumMismatch({ file: path, algorithm: "sha256 (recorded at download)", expected: recorded.trim(), actual })
    }
    return { algorithm: "sha256", digest: actual, against: "recorded" as const }
  })

/** Retry only what a retry can fix: a lost connection or a server error, not a 404. */
const transient = (error: DownloadFailed): boolean => !/^HTTP 4\d\d/.test(error.reason)

/** One request for `url`, appended to `part` from where it stopped. */
const attempt = (url: string, part: string, destination: string, name: string, options: CacheOptions) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const fail = (reason: string) => new DownloadFailed({ file: name, url, reason, destination })
    const existing = statSync(part, { throwIfNoEntry: false })?.size ?? 0
    const request = existing > 0
      ? HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("range", `bytes=${existing}-`))
      : HttpClientRequest.get(url)
    const idle = Duration.seconds(options.idleTimeoutSeconds ?? 60)
    const stalled = () => fail(`no data for ${Duration.toSeconds(idle)} s`)
    const response = yield* client.execute(request).pipe(
      Effect.mapError((error) => fail(message(error))),
      Effect.timeoutOrElse({ duration: idle, orElse: () => Effect.fail(stalled()) })
    )
    let start = 0
    if (response.status === 206) {
      const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers["content-range"] ?? "")
      if (range === null || Number(range[1]) !== existing) {
        // Not the bytes asked for: drop the partial file so the next try starts afresh.
        yield* Effect.promise(() => rm(part, { force: true }))
        return yield* fail(`bad Content-Range "${response.headers["content-range"]}" for a resume from ${existing}`)
      }
      start = existing
    } else if (response.status === 416 && existing > 0) {
      return // The partial file is already whole; the checks decide.
    } else if (response.status !== 200) {
      return yield* fail(`HTTP ${response.status}`)
    }
    const length = Number(response.headers["content-length"])
    const total = Number.isFinite(length) && response.headers["content-length"] !== undefined ? start + length : undefined
    const fd = yield* Effect.try({
      try: () => openSync(part, start === 0 ? "w" : "a"),
      catch: (error) => fail(`cannot write ${part}: ${message(error)}`)
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
        file: name,
        url,
        received,
        total,
        bytesPerSecond: rate,
        etaSeconds: total === undefined || rate <= 0 ? undefined : (total - received) / rate,
        done
      })
    }
    yield* response.stream.pipe(
      Stream.mapError((error) => fail(`connection lost after ${received} bytes (${message(error)})`)),
      Stream.timeoutOrElse({ duration: idle, orElse: () => Stream.fail(stalled()) }),
      Stream.runForEach((chunk) =>
        Effect.sync(() => {
          writeSync(fd, chunk)
          received += chunk.length
          report(false)
        })
      ),
      Effect.ensuring(Effect.sync(() => closeSync(fd)))
    )
    if (total !== undefined && received !== total) return yield* fail(`connection closed after ${received} of ${total} bytes`)
    report(true)
  })

/**
 * The path of `file` in the cache, downloading and verifying it first when
 * it is not there. The returned file has passed its checks.
 */
export const ensureFile = (
  file: RemoteFile,
  options: CacheOptions = {}
): Effect.Effect<string, DatasetError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const destination = cachePath(file, options)
    if (existsSync(destination)) {
      // A file put there by hand (as the offline error suggests) is checked once, then stamped.
      if (!isStamped(destination)) {
        if (file.checksum === undefined && !existsSync(sidecar(destination))) {
          yield* record(destination, yield* hashFile(destination, "sha256"))
        }
        yield* verifyFile(destination, file)
        yield* stamp(destination)
      }
      return destination
    }
    const urls = urlsOf(file, options)
    if (urls.length === 0 || options.offline === true || process.env.RECTIFIER_OFFLINE === "1") {
      return yield* new NotCached({ file: file.path, url: urls[0] ?? file.remotePath, destination })
    }
    yield* Effect.tryPromise({
      try: () => mkdir(dirname(destination), { recursive: true }),
      catch: (error) => new DatasetFileUnreadable({ file: dirname(destination), reason: message(error) })
    })
    const part = `${destination}.part`
    const attempts = Math.max(1, options.attempts ?? 4)
    let lastError: DatasetError | undefined
    for (const url of urls) {
      for (let i = 0; i < attempts; i++) {
        const result = yield* Effect.result(attempt(url, part, destination, file.path, options))
        if (result._tag === "Success") {
          lastError = undefined
          break
        }
        lastError = result.failure
        if (!transient(result.failure)) break
        if (i + 1 < attempts) yield* Effect.sleep(Duration.millis(100 * 2 ** i))
      }
      if (lastError === undefined) break
    }
    if (lastError !== undefined) return yield* lastError
    // Whole: check it before it may take its final name.
    const checked = yield* Effect.result(verifyPart(part, file))
    if (checked._tag === "Failure") {
      yield* Effect.promise(() => rm(part, { force: true }))
      const error = checked.failure
      return yield* error._tag === "ChecksumMismatch"
        ? new ChecksumMismatch({
          file: `${destination} (downloaded from ${urls.join(" or ")})`,
          algorithm: error.algorithm,
          expected: error.expected,
          actual: error.actual
        })
        : error
    }
    if (file.checksum === undefined) yield* record(destination, checked.success)
    yield* Effect.tryPromise({
      try: () => rename(part, destination),
      catch: (error) => new DatasetFileUnreadable({ file: destination, reason: message(error) })
    })
    yield* stamp(destination)
    return destination
  })

/** Checks a finished partial file; returns its sha256 when it has no official checksum. */
const verifyPart = (part: string, file: RemoteFile): Effect.Effect<string, DatasetError> =>
  file.checksum === undefined
    ? Effect.gen(function*() {
      if (file.size !== undefined) {
        const size = statSync(part).size
        if (size !== file.size) {
          return yield* new ChecksumMismatch({ file: part, algorithm: "size", expected: String(file.size), actual: String(size) })
        }
      }
      return yield* hashFile(part, "sha256")
    })
    : verifyFile(part, file).pipe(Effect.map((result) => result.digest))

/** A one-line progress report: bytes, rate and time left. */
export const formatProgress = (progress: Progress): string => {
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1)
  const of = progress.total === undefined ? "" : `/${mib(progress.total)}`
  const eta = progress.etaSeconds === undefined ? "" : `, ${Math.ceil(progress.etaSeconds)} s left`
  return `${progress.file}: ${mib(progress.received)}${of} MiB at ${mib(progress.bytesPerSecond)} MiB/s${eta}${progress.done ? " (done)" : ""}`
}
