/**
 * Streaming input for the parsers: a file (optionally a byte range of it,
 * optionally gunzipped) read as chunks, and a reader that takes exact byte
 * counts from those chunks. Parsers never hold a whole large file in memory.
 *
 * Parsers are written as async functions that throw the typed errors of
 * DatasetError.ts; `runParser` turns one into an Effect, classifying anything
 * else (a zlib error, a missing file) as a typed error that names the file.
 */
import { createHash, type Hash } from "node:crypto"
import { createReadStream } from "node:fs"
import { pipeline } from "node:stream"
import { createGunzip, createInflateRaw } from "node:zlib"
import { Effect } from "effect"
import { ChecksumMismatch, DatasetFileUnreadable, type DatasetError, MalformedFile } from "./DatasetError.ts"

/** Where a parser's bytes come from. */
export interface ByteSource {
  /** The name errors report (a path, or `archive.zip:member`). */
  readonly file: string
  readonly open: (signal?: AbortSignal) => AsyncIterable<Uint8Array>
}

/** A local file, or the bytes [start, end] of it (inclusive, as in `createReadStream`). */
export const fileSource = (path: string, range?: { readonly start: number; readonly end: number }): ByteSource => ({
  file: path,
  open: (signal) => createReadStream(path, { ...range, highWaterMark: 1 << 20, ...(signal ? { signal } : {}) })
})

const piped = (source: AsyncIterable<Uint8Array>, transform: NodeJS.ReadWriteStream): AsyncIterable<Uint8Array> => {
  pipeline(source, transform, () => {})
  return transform as unknown as AsyncIterable<Uint8Array>
}

/** The gunzipped bytes of a source. */
export const gunzipped = (source: ByteSource, file = source.file): ByteSource => ({
  file,
  open: (signal) => piped(source.open(signal), createGunzip({ chunkSize: 1 << 20 }))
})

/** The raw-inflated bytes of a source (a zip member with method 8). */
export const inflated = (source: ByteSource, file = source.file): ByteSource => ({
  file,
  open: (signal) => piped(source.open(signal), createInflateRaw({ chunkSize: 1 << 20 }))
})

/** Bytes in memory, for parsers fed from a buffer (and for tests). */
export const bufferSource = (file: string, bytes: Uint8Array): ByteSource => ({
  file,
  open: async function*() {
    yield bytes
  }
})

/** Reads exact byte counts from a chunked source, tracking the offset. */
export class ByteReader {
  readonly file: string
  private readonly iterator: AsyncIterator<Uint8Array>
  private chunk: Uint8Array = new Uint8Array(0)
  private offset = 0
  private hash: Hash | undefined
  /** Bytes consumed so far. */
  position = 0

  constructor(file: string, source: AsyncIterable<Uint8Array>, hashAlgorithm?: "md5" | "sha256") {
    this.file = file
    this.iterator = source[Symbol.asyncIterator]()
    this.hash = hashAlgorithm === undefined ? undefined : createHash(hashAlgorithm)
  }

  static open(source: ByteSource, signal?: AbortSignal, hashAlgorithm?: "md5" | "sha256"): ByteReader {
    return new ByteReader(source.file, source.open(signal), hashAlgorithm)
  }

  fail(problem: string): MalformedFile {
    return new MalformedFile({ file: this.file, problem })
  }

  private async fill(): Promise<boolean> {
    while (this.offset >= this.chunk.length) {
      let next: IteratorResult<Uint8Array>
      try {
        next = await this.iterator.next()
      } catch (error) {
        throw classify(this.file, error)
      }
      if (next.done === true) return false
      this.chunk = next.value
      this.offset = 0
      this.hash?.update(next.value)
    }
    return true
  }

  /** Fills `target` completely; `what` names the data in the truncation error. */
  async readInto(target: Uint8Array, what: string): Promise<void> {
    let filled = 0
    while (filled < target.length) {
      if (!(await this.fill())) {
        throw this.fail(
          `truncated: ${what} needs ${target.length} bytes from offset ${this.position - filled}, the data ends after ${filled}`
        )
      }
      const n = Math.min(target.length - filled, this.chunk.length - this.offset)
      target.set(this.chunk.subarray(this.offset, this.offset + n), filled)
      this.offset += n
      filled += n
      this.position += n
    }
  }

  async read(length: number, what: string): Promise<Uint8Array> {
    const out = new Uint8Array(length)
    await this.readInto(out, what)
    return out
  }

  async skip(length: number, what: string): Promise<void> {
    let left = length
    while (left > 0) {
      if (!(await this.fill())) throw this.fail(`truncated: ${what} needs ${length} bytes, the data ends after ${length - left}`)
      const n = Math.min(left, this.chunk.length - this.offset)
      this.offset += n
      left -= n
      this.position += n
    }
  }

  /** Whether the source has no bytes left. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill())
  }

  /** Fails unless the source has no bytes left after `what`. */
  async expectEnd(what: string): Promise<void> {
    if (await this.atEnd()) return
    let extra = this.chunk.length - this.offset
    this.offset = this.chunk.length
    while (await this.fill()) {
      extra += this.chunk.length
      this.offset = this.chunk.length
    }
    throw this.fail(`trailing bytes: ${extra} bytes after ${what} at offset ${this.position}`)
  }

  /** The digest of every byte read so far (the whole source once `expectEnd` passed). */
  digest(): string {
    if (this.hash === undefined) throw new Error("ByteReader.digest: no hash was requested")
    return this.hash.digest("hex")
  }

  async close(): Promise<void> {
    await this.iterator.return?.()
  }
}

/**
 * Reads `count` fixed-size records in blocks of about 1 MiB, handing each to
 * `onRecord` with its index: the way every format streams its examples.
 */
export const forEachRecord = async (
  reader: ByteReader,
  count: number,
  recordBytes: number,
  what: string,
  onRecord: (record: Uint8Array, index: number) => void
): Promise<void> => {
  const perBlock = Math.max(1, Math.min(count, Math.floor((1 << 20) / recordBytes)))
  const block = new Uint8Array(perBlock * recordBytes)
  for (let start = 0; start < count; start += perBlock) {
    const n = Math.min(perBlock, count - start)
    const view = block.subarray(0, n * recordBytes)
    await reader.readInto(view, `${what} ${start}..${start + n - 1}`)
    for (let k = 0; k < n; k++) onRecord(view.subarray(k * recordBytes, (k + 1) * recordBytes), start + k)
  }
}

/** An expected digest of a source's (decompressed) bytes. */
export interface Digest {
  readonly algorithm: "md5" | "sha256"
  readonly value: string
}

/** Fails with ChecksumMismatch when a fully read reader's digest differs. */
export const checkDigest = (reader: ByteReader, expected: Digest | undefined): void => {
  if (expected === undefined) return
  const actual = reader.digest()
  if (actual !== expected.value) {
    throw new ChecksumMismatch({ file: reader.file, algorithm: expected.algorithm, expected: expected.value, actual })
  }
}

const isDatasetError = (error: unknown): error is DatasetError =>
  typeof error === "object" && error !== null && "_tag" in error &&
  ["MalformedFile", "ChecksumMismatch", "DatasetFileUnreadable", "InvalidSplit", "DownloadFailed", "NotCached", "UnknownDataset"]
    .includes((error as { _tag: string })._tag)

/** Classifies a thrown value as a typed error about `file`. */
export const classify = (file: string, error: unknown): DatasetError => {
  if (isDatasetError(error)) return error
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  if (typeof code === "string" && code.startsWith("Z_")) {
    return new MalformedFile({ file, problem: `bad compressed data (${message})` })
  }
  if (error instanceof RangeError) return new MalformedFile({ file, problem: `sizes out of range (${message})` })
  return new DatasetFileUnreadable({ file, reason: message })
}

/** Runs an async parser as an Effect; interruption aborts its streams. */
export const runParser = <A>(file: string, parse: (signal: AbortSignal) => Promise<A>): Effect.Effect<A, DatasetError> =>
  Effect.tryPromise({ try: parse, catch: (error) => classify(file, error) })
