/**
 * Downloads from servers that lie (short or oversize bodies, wrong bytes,
 * errors on a mirror), into a disk that fills, by two processes at once: each
 * test reproduces a fault through `ensureFile` or the command line and checks
 * what a user would: the error's tag and message, the cache, the partial file.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { HttpClient } from "effect/http"
import { type DownloadFailed, ensureFile, type RemoteFile, registry } from "../src/index.ts"
import { gzip, norbCat, norbDat, pattern } from "./fixtures.ts"
import { loopbackOnly } from "./loopback.ts"

type Route = (request: IncomingMessage, response: ServerResponse) => void
const routes = new Map<string, Route>()
const hits = new Map<string, number>()
let server: Server
let base = ""

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = request.url ?? ""
    hits.set(url, (hits.get(url) ?? 0) + 1)
    const route = routes.get(url)
    if (route === undefined) response.writeHead(404).end()
    else route(request, response)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() =>
  new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
)

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")
const run = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) => effect.pipe(Effect.provide(loopbackOnly))
const fresh = () => mkdtempSync(join(tmpdir(), "faults-"))
/** Everything in the file's cache folder: the file, its stamp, sidecars, a partial copy, a lock. */
const leftovers = (dataDir: string) => (existsSync(join(dataDir, "test")) ? readdirSync(join(dataDir, "test")) : [])

/** A file with an official md5 and size, served under `/<prefix>/<name>`. */
const official = (name: string, body: Uint8Array, prefixes: ReadonlyArray<string>): RemoteFile => ({
  dataset: "test",
  path: `test/${name}`,
  remotePath: name,
  mirrors: prefixes.map((prefix) => `${base}/${prefix}`),
  size: { exact: body.length },
  checksum: { algorithm: "md5", value: md5(body), of: "file" }
})

/**
 * small NORB's training files as the registry describes them (no checksum:
 * checked by structure), without their official address, so that no test
 * reaches outside the loopback server.
 */
const [norbSmallDat, norbSmallCat] = registry["norb-small"].files.map((file): RemoteFile => ({ ...file, mirrors: [] }))

/** Writes `body` in 64 KiB chunks as fast as the client reads, without a Content-Length; counts what got out. */
const stream = (body: Uint8Array, sent: { bytes: number; cut: boolean }): Route => (_request, response) => {
  response.writeHead(200)
  let at = 0
  response.on("close", () => (sent.cut = at < body.length))
  const next = () => {
    while (at < body.length) {
      const chunk = body.subarray(at, at + 65536)
      at += chunk.length
      sent.bytes = at
      if (!response.write(chunk)) return void response.once("drain", next)
    }
    response.end()
  }
  next()
}

const failure = (error: unknown): DownloadFailed => {
  assert.strictEqual((error as { _tag: string })._tag, "DownloadFailed")
  return error as DownloadFailed
}

describe("a server that lies about the size", () => {
  it.live("a body larger than the official size is cut off at the limit, naming file, limit and source", () =>
    Effect.gen(function*() {
      const body = pattern(100_000, 1)
      const sent = { bytes: 0, cut: false }
      routes.set("/big/a.bin", stream(new Uint8Array(20_000_000), sent))
      const dataDir = fresh()
      const error = failure(yield* Effect.flip(run(ensureFile(official("a.bin", body, ["big"]), { dataDir }))))
      const [source] = error.sources
      assert.strictEqual(source?._tag, "DownloadTooLarge")
      assert.include(error.message, "test/a.bin")
      assert.include(error.message, `${base}/big/a.bin sent more than 100,000 bytes and was cut off`)
      assert.include(error.message, "the official size")
      assert.isTrue(sent.cut, `the server was stopped after ${sent.bytes} of 20,000,000 bytes`)
      assert.deepStrictEqual(leftovers(dataDir), [], "nothing in the cache, no partial file")
      assert.strictEqual(hits.get("/big/a.bin"), 1, "a lying server is not retried")
    }))

  it.live("a Content-Length above the official size is refused before any byte is written", () =>
    Effect.gen(function*() {
      const body = pattern(1000, 2)
      routes.set("/announce/a.bin", (_request, response) => response.writeHead(200, { "content-length": 5_000_000 }).end())
      const dataDir = fresh()
      const error = failure(yield* Effect.flip(run(ensureFile(official("a.bin", body, ["announce"]), { dataDir }))))
      assert.strictEqual(error.sources[0]?._tag, "DownloadTooLarge")
      assert.include(error.message, "announced 5,000,000 bytes")
      assert.include(error.message, "limit is 1,000 bytes")
      assert.deepStrictEqual(leftovers(dataDir), [])
    }))

  it.live("a NORB file (no published size) is cut off at the bound its registered shape gives", () =>
    Effect.gen(function*() {
      const sent = { bytes: 0, cut: false }
      routes.set("/norb-big/smallnorb-5x46789x9x18x6x2x96x96-training-cat.mat.gz", stream(new Uint8Array(20_000_000), sent))
      const dataDir = fresh()
      const error = failure(yield* Effect.flip(run(ensureFile(norbSmallCat!, { dataDir, mirrors: [`${base}/norb-big`] }))))
      assert.strictEqual(error.sources[0]?._tag, "DownloadTooLarge")
      assert.include(error.message, "smallnorb-5x46789x9x18x6x2x96x96-training-cat.mat.gz")
      assert.include(error.message, "the largest a gzip of a NORB int32 matrix of 24300 labels in 0..4 (97,220 bytes) can be")
      assert.isTrue(sent.cut)
      assert.isBelow(sent.bytes, 20_000_000)
      assert.deepStrictEqual(readdirSync(join(dataDir, "norb-small")), [])
    }))

  it.live("a body shorter than its Content-Length is never accepted; it stays a partial file to resume", () =>
    Effect.gen(function*() {
      const body = pattern(50_000, 3)
      routes.set("/short/a.bin", (_request, response) => {
        response.writeHead(200, { "content-length": body.length })
        response.write(body.subarray(0, 1000), () => response.socket?.end())
      })
      const dataDir = fresh()
      const error = failure(yield* Effect.flip(run(ensureFile(official("a.bin", body, ["short"]), { dataDir, attempts: 2 }))))
      assert.strictEqual(error.sources[0]?._tag, "SourceFailed")
      assert.include(error.message, `${base}/short/a.bin (connection lost after 1000 bytes`)
      assert.deepStrictEqual(leftovers(dataDir), ["a.bin.part"], "only the partial file, which a later run resumes")
    }))
})

describe("a file without an official checksum (NORB) is checked by its structure before the cache", () => {
  const name = "smallnorb-5x46789x9x18x6x2x96x96-training-dat.mat.gz"
  const rejects = (prefix: string, route: Route, expected: string) =>
    Effect.gen(function*() {
      routes.set(`/${prefix}/${name}`, route)
      const dataDir = fresh()
      const error = failure(yield* Effect.flip(run(ensureFile(norbSmallDat!, { dataDir, mirrors: [`${base}/${prefix}`] }))))
      assert.strictEqual(error.sources[0]?._tag, "MalformedFile")
      assert.include(error.message, `(sent by ${base}/${prefix}/${name})`)
      assert.include(error.message, expected)
      assert.deepStrictEqual(readdirSync(join(dataDir, "norb-small")), [], "no file, stamp, recorded sha256 or partial file")
    })

  it.live("an empty 200 response is rejected, not stamped", () =>
    rejects("empty", (_request, response) => response.writeHead(200).end(), "bad compressed data"))

  it.live("a truncated gzip with a matching Content-Length is rejected", () => {
    const truncated = gzip(norbDat(3, 96)).subarray(0, 15)
    return rejects("cut-gz", (_request, response) => response.writeHead(200, { "content-length": truncated.length }).end(truncated), "bad compressed data")
  })

  it.live("a whole matrix of the wrong count is rejected, naming the registry's count", () => {
    const small = gzip(norbDat(2, 96))
    return rejects("two-pairs", (_request, response) => response.writeHead(200, { "content-length": small.length }).end(small), "holds 2 pairs, expected 24300")
  })

  it.live("a labels file with a label out of range is rejected", () =>
    Effect.gen(function*() {
      const bytes = gzip(norbCat([...new Array(24_299).fill(0), 7]))
      routes.set(`/bad-cat/${norbSmallCat!.remotePath}`, (_request, response) => response.writeHead(200).end(bytes))
      const dataDir = fresh()
      const error = failure(yield* Effect.flip(run(ensureFile(norbSmallCat!, { dataDir, mirrors: [`${base}/bad-cat`] }))))
      assert.include(error.message, "label 7 at index 24299 is outside 0..4")
      assert.deepStrictEqual(readdirSync(join(dataDir, "norb-small")), [])
    }))

  it.live("a file stamped by the old first-use check (a 0-byte file) is checked again and refused", () =>
    Effect.gen(function*() {
      const dataDir = fresh()
      const path = join(dataDir, "norb-small", name)
      mkdirSync(join(dataDir, "norb-small"))
      writeFileSync(path, "")
      writeFileSync(`${path}.sha256`, `${createHash("sha256").digest("hex")}\n`)
      const before = readdirSync(join(dataDir, "norb-small"))
      const error = yield* Effect.flip(run(ensureFile(norbSmallDat!, { dataDir, offline: true })))
      assert.strictEqual(error._tag, "MalformedFile")
      assert.include(error.message, path)
      assert.deepStrictEqual(readdirSync(join(dataDir, "norb-small")), before, "no stamp was written")
    }))
})

describe("several addresses", () => {
  it.live("a mirror's 500 is listed beside the next address's 404, each with its own reason", () =>
    Effect.gen(function*() {
      const body = pattern(1000, 4)
      routes.set("/down/a.bin", (_request, response) => response.writeHead(500).end())
      const dataDir = fresh()
      const error = failure(yield* Effect.flip(run(ensureFile(official("a.bin", body, ["down", "absent"]), { dataDir, attempts: 2 }))))
      assert.deepStrictEqual(error.sources.map((s) => s._tag), ["SourceFailed", "SourceFailed"])
      assert.include(error.message, "tried 2 sources")
      assert.include(error.message, `${base}/down/a.bin (HTTP 500)`)
      assert.include(error.message, `${base}/absent/a.bin (HTTP 404)`)
      assert.include(error.message, join(dataDir, "test/a.bin"))
      assert.strictEqual(hits.get("/down/a.bin"), 2, "a 500 is retried")
      assert.strictEqual(hits.get("/absent/a.bin"), 1, "a 404 is not")
    }))

  it.live("a checksum mismatch names the address that sent the bytes, and the next address is still tried", () =>
    Effect.gen(function*() {
      const body = pattern(1000, 5)
      routes.set("/liar/a.bin", (_request, response) => response.writeHead(200, { "content-length": 1000 }).end(pattern(1000, 6)))
      routes.set("/honest/a.bin", (_request, response) => response.writeHead(200, { "content-length": 1000 }).end(body))
      const dataDir = fresh()
      const wrong = failure(yield* Effect.flip(run(ensureFile(official("a.bin", body, ["down", "liar"]), { dataDir, attempts: 1 }))))
      assert.deepStrictEqual(wrong.sources.map((s) => s._tag), ["SourceFailed", "ChecksumMismatch"])
      assert.include(wrong.message, `${base}/down/a.bin (HTTP 500)`)
      assert.include(wrong.message, `(sent by ${base}/liar/a.bin): md5 is ${md5(pattern(1000, 6))}`)
      assert.notInclude(wrong.message, `sent by ${base}/down`)
      assert.deepStrictEqual(leftovers(dataDir), [])
      const path = yield* run(ensureFile(official("a.bin", body, ["liar", "honest"]), { dataDir, attempts: 1 }))
      assert.strictEqual(path, join(dataDir, "test/a.bin"))
    }))
})

/** Whether a small tmpfs can be mounted here (root with the mount capability); probed once. */
const canMount = (() => {
  if (process.getuid?.() !== 0) return false
  const probe = fresh()
  if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]).status !== 0) return false
  execFileSync("umount", [probe])
  return true
})()

describe("a full disk", () => {
  it.live.skipIf(!canMount)("ENOSPC is DiskFull naming the path, the partial file is removed and no other address is tried", () =>
    Effect.gen(function*() {
      const body = pattern(3_000_000, 7)
      routes.set("/full/a.bin", (_request, response) => response.writeHead(200, { "content-length": body.length }).end(body))
      routes.set("/full2/a.bin", (_request, response) => response.writeHead(200, { "content-length": body.length }).end(body))
      const dataDir = fresh()
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dataDir])
      const error = yield* Effect.flip(run(ensureFile(official("a.bin", body, ["full", "full2"]), { dataDir }))).pipe(
        Effect.ensuring(Effect.sync(() => {
          const left = leftovers(dataDir)
          execFileSync("umount", [dataDir])
          assert.deepStrictEqual(left, [], "no partial file, no lock")
        }))
      )
      assert.strictEqual(error._tag, "DiskFull")
      assert.include(error.message, "disk full (ENOSPC)")
      assert.include(error.message, join(dataDir, "test/a.bin.part"))
      assert.isUndefined(hits.get("/full2/a.bin"))
    }))
})

/** Runs test/fetch-child.ts in its own process; resolves with its exit code and output. */
const child = (dataDir: string, prefix: string, body: Uint8Array, onStderr: (text: string) => void = () => {}) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const process_ = spawn(process.execPath, [join(import.meta.dirname, "fetch-child.ts"), dataDir, `${base}/${prefix}`, String(body.length), md5(body)])
    let out = ""
    let err = ""
    process_.stdout.on("data", (chunk) => (out += chunk))
    process_.stderr.on("data", (chunk) => {
      err += chunk
      onStderr(err)
    })
    process_.on("close", (code) => resolve({ code, out, err }))
  })

describe("two processes fetching one file", () => {
  it.live("the second waits for the first and uses the finished file; one download, no partial file or lock left", () =>
    Effect.gen(function*() {
      const body = pattern(2_000_000, 8)
      // The first download sends half the file, then holds the rest until the other process says it waits.
      let bothThere = () => {}
      const waited = new Promise<void>((resolve) => (bothThere = resolve))
      routes.set("/slow/shared.bin", (_request, response) => {
        response.writeHead(200, { "content-length": body.length })
        response.write(body.subarray(0, 1_000_000))
        void waited.then(() => response.end(body.subarray(1_000_000)))
      })
      const dataDir = fresh()
      const onStderr = (text: string) => text.includes("waiting for ") && bothThere()
      const [first, second] = yield* Effect.promise(() =>
        Promise.all([child(dataDir, "slow", body, onStderr), child(dataDir, "slow", body, onStderr)])
      )
      const destination = join(dataDir, "test/shared.bin")
      assert.strictEqual(first.code, 0, first.out + first.err)
      assert.strictEqual(second.code, 0, second.out + second.err)
      assert.deepStrictEqual([first.out.trim(), second.out.trim()], [destination, destination])
      assert.include(first.err + second.err, `waiting for `, "one of them waited for the other")
      assert.strictEqual(hits.get("/slow/shared.bin"), 1, "downloaded once")
      assert.deepStrictEqual(leftovers(dataDir).sort(), ["shared.bin", "shared.bin.verified"])
    }))

  it.live("a lock left by a dead process is taken over", () =>
    Effect.gen(function*() {
      const body = pattern(10_000, 9)
      routes.set("/stale/shared.bin", (_request, response) => response.writeHead(200, { "content-length": body.length }).end(body))
      const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString()
      const dataDir = fresh()
      mkdirSync(join(dataDir, "test"))
      writeFileSync(join(dataDir, "test/shared.bin.part.lock"), `${dead} ${hostname()}\n`)
      const result = yield* Effect.promise(() => child(dataDir, "stale", body))
      assert.strictEqual(result.code, 0, result.out + result.err)
      assert.deepStrictEqual(leftovers(dataDir).sort(), ["shared.bin", "shared.bin.verified"])
    }))

  it.live("a fetch waiting for a live owner's lock can be interrupted, and leaves that lock alone", () =>
    Effect.gen(function*() {
      const body = pattern(1000, 10)
      const dataDir = fresh()
      mkdirSync(join(dataDir, "test"))
      const lock = join(dataDir, "test/a.bin.part.lock")
      const owner = `${process.pid} ${hostname()}\n`
      writeFileSync(lock, owner)
      const waits: Array<string> = []
      const started = Date.now()
      const result = yield* run(ensureFile(official("a.bin", body, ["never"]), { dataDir, onWaiting: (w) => waits.push(w.owner) })).pipe(
        Effect.timeoutOption("300 millis")
      )
      assert.strictEqual(result._tag, "None", "still waiting when interrupted")
      assert.isBelow(Date.now() - started, 5000)
      assert.deepStrictEqual(waits, [owner.trim()])
      assert.strictEqual(readFileSync(lock, "utf8"), owner)
      assert.isUndefined(hits.get("/never/a.bin"), "no download while another process holds the lock")
    }))
})
