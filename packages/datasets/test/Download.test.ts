import { createHash } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import type { HttpClient } from "effect/http"
import {
  cifar10File,
  type DownloadFailed,
  emnistFile,
  ensureFile,
  type FileChecksum,
  type FileSize,
  loadDataset,
  type Progress,
  type RemoteFile,
  verifyFile
} from "../src/index.ts"
import { fileSource, gunzipped, runParser } from "../src/ByteReader.ts"
import { checkNorbFile } from "../src/index.ts"
import { loopbackOnly } from "./loopback.ts"
import { cifarRecords, gzip, idxImages, idxLabels, norbCat, norbDat, pattern, tar, zip } from "./fixtures.ts"

interface Served {
  readonly body: Uint8Array
  /** Requests still to be cut off halfway. */
  cuts: number
  /** Whether Range requests are honoured. */
  readonly ranges: boolean
  /** Requests still to be left hanging halfway, the connection open. */
  stalls: number
}

const files = new Map<string, Served>()
const requests: Array<{ readonly url: string; readonly range: string | undefined }> = []
let server: Server
let base = ""

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = request.url ?? ""
    requests.push({ url, range: request.headers.range })
    const served = files.get(url)
    if (served === undefined) {
      response.writeHead(404).end()
      return
    }
    const { body } = served
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? "")
    let start = 0
    if (range !== null && served.ranges) {
      start = Number(range[1])
      if (start >= body.length) {
        response.writeHead(416, { "content-range": `bytes */${body.length}` }).end()
        return
      }
      response.writeHead(206, {
        "content-length": body.length - start,
        "content-range": `bytes ${start}-${body.length - 1}/${body.length}`
      })
    } else {
      response.writeHead(200, { "content-length": body.length })
    }
    const rest = body.subarray(start)
    if (served.stalls > 0) {
      served.stalls--
      response.write(rest.subarray(0, Math.floor(rest.length / 2)))
      return
    }
    if (served.cuts > 0) {
      served.cuts--
      response.write(rest.subarray(0, Math.floor(rest.length / 2)), () => setTimeout(() => request.socket.destroy(), 20))
      return
    }
    response.end(rest)
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

const serve = (path: string, body: Uint8Array, options: { cuts?: number; ranges?: boolean; stalls?: number } = {}) =>
  files.set(path, { body, cuts: options.cuts ?? 0, ranges: options.ranges ?? true, stalls: options.stalls ?? 0 })

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")
const remote = (
  name: string,
  body: Uint8Array,
  extra: { readonly mirrors?: ReadonlyArray<string>; readonly size?: FileSize; readonly checksum?: FileChecksum } = {}
): RemoteFile => ({
  dataset: "test",
  path: `test/${name}`,
  remotePath: `files/${name}`,
  mirrors: extra.mirrors ?? [base],
  size: extra.size ?? { exact: body.length },
  checksum: extra.checksum ?? { algorithm: "md5", value: md5(body), of: "file" }
})
const freshDir = () => mkdtempSync(join(tmpdir(), "cache-"))
const requestsFor = (name: string) => requests.filter((r) => r.url === `/files/${name}`)
const run = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) =>
  effect.pipe(Effect.provide(loopbackOnly))
/** The environment as a ConfigProvider layer: process.env is never touched. */
const withEnv = (env: Record<string, string>) => Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))

describe("downloads into the cache", () => {
  it.live("downloads, verifies and places a file; a second call is a cache hit", () =>
    Effect.gen(function*() {
      const body = pattern(300_000, 1)
      serve("/files/a.bin", body)
      const dataDir = freshDir()
      const progress: Array<Progress> = []
      const path = yield* run(ensureFile(remote("a.bin", body), { dataDir, onProgress: (p) => progress.push(p) }))
      assert.strictEqual(path, join(dataDir, "test/a.bin"))
      assert.deepStrictEqual(new Uint8Array(readFileSync(path)), body)
      assert.isFalse(existsSync(`${path}.part`))
      const last = progress.at(-1)!
      assert.isTrue(last.done)
      assert.strictEqual(last.received, body.length)
      assert.strictEqual(last.total, body.length)
      assert.isAbove(last.bytesPerSecond, 0)
      const before = requestsFor("a.bin").length
      yield* run(ensureFile(remote("a.bin", body), { dataDir }))
      assert.strictEqual(requestsFor("a.bin").length, before, "no request on a cache hit")
    }))

  it.live("a file copied into the cache by hand is verified before use, then trusted", () =>
    Effect.gen(function*() {
      const body = pattern(4000, 10)
      const dataDir = freshDir()
      const file = remote("hand.bin", body)
      const destination = join(dataDir, "test/hand.bin")
      mkdirSync(join(dataDir, "test"), { recursive: true })
      writeFileSync(destination, pattern(4000, 11))
      const before = requests.length
      const error = yield* Effect.flip(run(ensureFile(file, { dataDir, offline: true })))
      assert.strictEqual(error._tag, "ChecksumMismatch")
      assert.include(error.message, destination)
      writeFileSync(destination, body)
      assert.strictEqual(yield* run(ensureFile(file, { dataDir, offline: true })), destination)
      assert.isTrue(existsSync(`${destination}.verified`))
      assert.strictEqual(requests.length, before, "no download was needed")
    }))

  it.live("a checksum mismatch fails, and leaves neither the file nor its partial copy", () =>
    Effect.gen(function*() {
      const body = pattern(5000, 2)
      serve("/files/bad.bin", body)
      const dataDir = freshDir()
      const file = remote("bad.bin", body, { checksum: { algorithm: "md5", value: "0".repeat(32), of: "file" } })
      const error = yield* Effect.flip(run(ensureFile(file, { dataDir })))
      assert.strictEqual(error._tag, "DownloadFailed")
      assert.strictEqual((error as DownloadFailed).sources[0]?._tag, "ChecksumMismatch")
      assert.include(error.message, `${join(dataDir, "test/bad.bin")} (sent by ${base}/files/bad.bin)`)
      assert.include(error.message, md5(body))
      assert.isFalse(existsSync(join(dataDir, "test/bad.bin")))
      assert.isFalse(existsSync(join(dataDir, "test/bad.bin.part")))
    }))

  it.live("verifies the gunzipped bytes when the official checksum is of the raw file", () =>
    Effect.gen(function*() {
      const raw = idxLabels([1, 2, 3])
      serve("/files/l.gz", gzip(raw))
      const dataDir = freshDir()
      const size = { atMost: 1000, basis: "a test bound" }
      const file = remote("l.gz", gzip(raw), { size, checksum: { algorithm: "md5", value: md5(raw), of: "gunzipped" } })
      const path = yield* run(ensureFile(file, { dataDir }))
      const verified = yield* verifyFile(path, file)
      assert.strictEqual(verified.digest, md5(raw))
      const wrong = { ...remote("l.gz", gzip(raw), { size, checksum: { algorithm: "md5", value: md5(gzip(raw)), of: "gunzipped" } }), path: "test/l2.gz" }
      const error = yield* Effect.flip(run(ensureFile(wrong, { dataDir })))
      assert.strictEqual(error._tag, "DownloadFailed")
      assert.include(error.message, "md5 of the gunzipped bytes")
    }))

  it.live("a cut connection resumes with a Range request in the same run", () =>
    Effect.gen(function*() {
      const body = pattern(200_000, 3)
      serve("/files/cut.bin", body, { cuts: 1 })
      const dataDir = freshDir()
      const path = yield* run(ensureFile(remote("cut.bin", body), { dataDir, attempts: 3 }))
      assert.deepStrictEqual(new Uint8Array(readFileSync(path)), body)
      const seen = requestsFor("cut.bin")
      assert.strictEqual(seen.length, 2)
      assert.strictEqual(seen[1]!.range, `bytes=${body.length / 2}-`)
    }))

  it.live("a connection that stops sending is dropped after the idle timeout and resumed", () =>
    Effect.gen(function*() {
      const body = pattern(60_000, 12)
      serve("/files/stall.bin", body, { stalls: 1 })
      const dataDir = freshDir()
      const path = yield* run(ensureFile(remote("stall.bin", body), { dataDir, attempts: 2, idleTimeoutSeconds: 0.5 }))
      assert.deepStrictEqual(new Uint8Array(readFileSync(path)), body)
      assert.strictEqual(requestsFor("stall.bin").at(-1)!.range, `bytes=${body.length / 2}-`)
    }))

  it.live("an interrupted run leaves only a partial file, which the next run resumes", () =>
    Effect.gen(function*() {
      const body = pattern(100_000, 4)
      serve("/files/resume.bin", body, { cuts: 1 })
      const dataDir = freshDir()
      const error = yield* Effect.flip(run(ensureFile(remote("resume.bin", body), { dataDir, attempts: 1 })))
      assert.strictEqual(error._tag, "DownloadFailed")
      assert.include(error.message, join(dataDir, "test/resume.bin"))
      assert.isFalse(existsSync(join(dataDir, "test/resume.bin")), "nothing a later run would trust")
      assert.strictEqual(statSync(join(dataDir, "test/resume.bin.part")).size, body.length / 2)
      const path = yield* run(ensureFile(remote("resume.bin", body), { dataDir, attempts: 1 }))
      assert.deepStrictEqual(new Uint8Array(readFileSync(path)), body)
      assert.strictEqual(requestsFor("resume.bin").at(-1)!.range, `bytes=${body.length / 2}-`)
    }))

  it.live("a server that ignores Range restarts the file from the beginning", () =>
    Effect.gen(function*() {
      const body = pattern(80_000, 5)
      serve("/files/norange.bin", body, { cuts: 1, ranges: false })
      const dataDir = freshDir()
      const path = yield* run(ensureFile(remote("norange.bin", body), { dataDir, attempts: 2 }))
      assert.deepStrictEqual(new Uint8Array(readFileSync(path)), body)
    }))

  it.live("offline, a missing file says which file to put where", () =>
    Effect.gen(function*() {
      const dataDir = freshDir()
      const body = pattern(10)
      const before = requests.length
      const error = yield* Effect.flip(run(ensureFile(remote("offline.bin", body), { dataDir, offline: true })))
      assert.strictEqual(error._tag, "NotCached")
      assert.include(error.message, `${base}/files/offline.bin`)
      assert.include(error.message, join(dataDir, "test/offline.bin"))
      assert.strictEqual(requests.length, before)
    }))

  it.live("with no data dir given, the file goes to $RECTIFIER_DATA_DIR, read through the ConfigProvider", () =>
    Effect.gen(function*() {
      const dataDir = freshDir()
      const body = pattern(10)
      serve("/files/env.bin", body)
      const path = yield* run(ensureFile(remote("env.bin", body))).pipe(
        withEnv({ RECTIFIER_DATA_DIR: dataDir, XDG_CACHE_HOME: freshDir() })
      )
      assert.strictEqual(path, join(dataDir, "test/env.bin"))
    }))

  it.live("RECTIFIER_OFFLINE=1 refuses to download with the offline error; an explicit offline: false wins over it", () =>
    Effect.gen(function*() {
      const dataDir = freshDir()
      const body = pattern(10)
      serve("/files/env-offline.bin", body)
      const before = requests.length
      const error = yield* Effect.flip(run(ensureFile(remote("env-offline.bin", body), { dataDir }))).pipe(
        withEnv({ RECTIFIER_OFFLINE: "1" })
      )
      assert.strictEqual(error._tag, "NotCached")
      assert.include(error.message, "downloads are off")
      assert.include(error.message, join(dataDir, "test/env-offline.bin"))
      assert.strictEqual(requests.length, before)
      const path = yield* run(ensureFile(remote("env-offline.bin", body), { dataDir, offline: false })).pipe(
        withEnv({ RECTIFIER_OFFLINE: "1" })
      )
      assert.deepStrictEqual(new Uint8Array(readFileSync(path)), body)
    }))

  it.live("an unreachable host fails with the destination for a manual copy", () =>
    Effect.gen(function*() {
      const dataDir = freshDir()
      const file = remote("x.bin", pattern(10), { mirrors: ["http://127.0.0.1:9"] })
      const error = yield* Effect.flip(run(ensureFile(file, { dataDir, attempts: 1 })))
      assert.strictEqual(error._tag, "DownloadFailed")
      assert.include(error.message, "http://127.0.0.1:9/files/x.bin")
      assert.include(error.message, join(dataDir, "test/x.bin"))
    }))

  it.live("a configured mirror is tried first, then the defaults", () =>
    Effect.gen(function*() {
      const body = pattern(1000, 6)
      serve("/files/m.bin", body)
      const dataDir = freshDir()
      const path = yield* run(ensureFile(remote("m.bin", body), { dataDir, mirrors: [`${base}/nothing-here`] }))
      assert.deepStrictEqual(new Uint8Array(readFileSync(path)), body)
      assert.isTrue(requests.some((r) => r.url === "/nothing-here/files/m.bin"))
    }))

  it.live("a file without an official checksum is checked by its structure, then its sha256 is recorded for verify", () =>
    Effect.gen(function*() {
      const body = gzip(norbCat([1, 0, 2]))
      serve("/files/norb.cat.gz", body)
      const dataDir = freshDir()
      const file: RemoteFile = {
        dataset: "test",
        path: "test/norb.cat.gz",
        remotePath: "files/norb.cat.gz",
        mirrors: [base],
        size: { atMost: 1000, basis: "a test bound" },
        structure: {
          description: "3 NORB labels",
          check: (path) => runParser(path, (signal) => checkNorbFile(gunzipped(fileSource(path)), { kind: "cat", count: 3, side: 96, classes: 5 }, signal))
        }
      }
      const path = yield* run(ensureFile(file, { dataDir }))
      const sha = createHash("sha256").update(body).digest("hex")
      assert.strictEqual(readFileSync(`${path}.sha256`, "utf8").trim(), sha)
      assert.strictEqual((yield* verifyFile(path, file)).against, "structure")
      writeFileSync(path, gzip(norbCat([1, 0, 3])))
      const error = yield* Effect.flip(verifyFile(path, file))
      assert.strictEqual(error._tag, "ChecksumMismatch", "a valid but different file differs from the recorded sha256")
      assert.include(error.message, path)
      writeFileSync(path, "")
      assert.strictEqual((yield* Effect.flip(verifyFile(path, file)))._tag, "MalformedFile")
    }))
})

describe("datasets by name through a mirror", () => {
  it.live("small NORB: downloads .mat.gz files with real headers, subsamples and splits", () =>
    Effect.gen(function*() {
      const train = "smallnorb-5x46789x9x18x6x2x96x96-training"
      const test = "smallnorb-5x01235x9x18x6x2x96x96-testing"
      serve(`/norb/${train}-dat.mat.gz`, gzip(norbDat(4, 96)))
      serve(`/norb/${train}-cat.mat.gz`, gzip(norbCat([0, 1, 2, 4])))
      serve(`/norb/${test}-dat.mat.gz`, gzip(norbDat(4, 96, pattern(4 * 2 * 96 * 96, 9))))
      serve(`/norb/${test}-cat.mat.gz`, gzip(norbCat([3, 3, 2, 1])))
      const dataDir = freshDir()
      const options = {
        name: "norb-small" as const,
        dataDir,
        mirrors: [`${base}/norb`],
        expected: { pairsPerFile: 4 },
        split: { train: 3, validation: 1, test: 4 }
      }
      const data = yield* run(loadDataset(options))
      assert.deepStrictEqual([data.train.count, data.validation.count, data.test.count], [3, 1, 4])
      assert.deepStrictEqual(Array.from(data.validation.labels), [4])
      assert.deepStrictEqual(data.exampleShape, [2, 32, 32])
      assert.isTrue(data.train.inputs.every((v) => v >= -1 && v <= 1))
      // Everything is cached now: offline works and gives the same data.
      const again = yield* run(loadDataset({ ...options, offline: true }))
      assert.deepStrictEqual(again.test.inputs, data.test.inputs)
    }))

  it.live("Fashion-MNIST without Debian's files downloads, and rejects files whose raw md5 is not official", () =>
    Effect.gen(function*() {
      for (const name of ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]) {
        serve(`/fashion/${name}`, gzip(name.includes("images") ? idxImages(2, 28, 28) : idxLabels([1, 2])))
      }
      const dataDir = freshDir()
      const error = yield* Effect.flip(run(loadDataset({
        name: "fashion-mnist",
        dataDir,
        debianDirectory: freshDir(),
        mirrors: [`${base}/fashion`]
      })))
      assert.strictEqual(error._tag, "DownloadFailed")
      assert.include(error.message, "md5 of the gunzipped bytes")
      assert.isFalse(existsSync(join(dataDir, "fashion-mnist/train-images-idx3-ubyte.gz")))
    }))

  it.live("CIFAR-10 and EMNIST by name, from files already verified in the cache", () =>
    Effect.gen(function*() {
      const dataDir = freshDir()
      // Put files in the cache as a completed download leaves them: contents plus a matching stamp
      // (size, modification time and the official checksum they passed).
      const place = (path: string, bytes: Uint8Array, checksum: FileChecksum) => {
        const target = join(dataDir, path)
        mkdirSync(join(target, ".."), { recursive: true })
        writeFileSync(target, bytes)
        const stat = statSync(target)
        writeFileSync(`${target}.verified`, `${stat.size} ${Math.floor(stat.mtimeMs)} ${checksum.algorithm} of ${checksum.of} ${checksum.value}`)
      }
      const batch = (labels: Array<number>, salt: number) => cifarRecords(labels, salt)
      place("cifar10/cifar-10-binary.tar.gz", gzip(tar([
        ...[1, 2, 3, 4, 5].map((b) => ({ name: `cifar-10-batches-bin/data_batch_${b}.bin`, data: batch([b, b], b) })),
        { name: "cifar-10-batches-bin/test_batch.bin", data: batch([7, 8], 6) }
      ])), cifar10File.checksum!)
      const cifar = yield* run(loadDataset({
        name: "cifar10",
        dataDir,
        offline: true,
        expected: { recordsPerBatch: 2 },
        split: { validation: 1, test: 1 }
      }))
      assert.deepStrictEqual([cifar.train.count, cifar.validation.count, cifar.test.count], [10, 1, 1])
      assert.deepStrictEqual([cifar.validation.labels[0], cifar.test.labels[0]], [7, 8], "validation and test halve the official test set")
      assert.deepStrictEqual(cifar.exampleShape, [3, 32, 32])

      const pixels = pattern(3 * 784, 4)
      place("emnist/gzip.zip", zip([
        { name: "gzip/emnist-byclass-train-images-idx3-ubyte.gz", data: gzip(idxImages(3, 28, 28, pixels)) },
        { name: "gzip/emnist-byclass-train-labels-idx1-ubyte.gz", data: gzip(idxLabels([0, 35, 61])) },
        { name: "gzip/emnist-byclass-test-images-idx3-ubyte.gz", data: gzip(idxImages(1, 28, 28)) },
        { name: "gzip/emnist-byclass-test-labels-idx1-ubyte.gz", data: gzip(idxLabels([9])) }
      ]), emnistFile.checksum!)
      const emnist = yield* run(loadDataset({
        name: "emnist-byclass",
        dataDir,
        offline: true,
        normalisation: "raw",
        expected: { trainCount: 3, testCount: 1 },
        split: { validation: 1 }
      }))
      assert.deepStrictEqual([emnist.train.count, emnist.validation.count, emnist.test.count], [2, 1, 1])
      assert.deepStrictEqual(Array.from(emnist.validation.labels), [61])
      assert.strictEqual(emnist.train.inputs[1 * 784 + 2 * 28 + 5], pixels[784 + 5 * 28 + 2], "images are transposed back")
    }))

  it.live("an unknown name lists the known ones", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run(loadDataset({ name: "nistp" as never })))
      assert.strictEqual(error._tag, "UnknownDataset")
      assert.include(error.message, "emnist-byclass")
    }))
})
