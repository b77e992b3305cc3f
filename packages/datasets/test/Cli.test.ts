import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeServices } from "@effect/platform-node"
import { afterAll, assert, beforeAll, describe, it, vi } from "@effect/vitest"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { datasetsCommand } from "../src/index.ts"
import { gzip, norbCat, zeroNorbDatGz } from "./fixtures.ts"

const served = new Map<string, Uint8Array>()
let server: Server
let base = ""
beforeAll(async () => {
  server = createServer((request, response) => {
    const body = served.get(request.url ?? "")
    if (body === undefined) response.writeHead(404).end()
    else response.writeHead(200, { "content-length": body.length }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const cli = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const errors: Array<string> = []
    const spy = vi.spyOn(console, "log").mockImplementation((...parts: Array<unknown>) => void lines.push(parts.join(" ")))
    const printed = vi.spyOn(console, "error").mockImplementation((...parts: Array<unknown>) => void errors.push(parts.join(" ")))
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true)
    const exit = yield* Command.runWith(datasetsCommand, { version: "test" })(args).pipe(
      Effect.provide(NodeServices.layer),
      Effect.exit,
      Effect.ensuring(Effect.sync(() => {
        spy.mockRestore()
        printed.mockRestore()
        stderr.mockRestore()
      }))
    )
    return { exit, lines, errors }
  })

describe("datasets CLI", () => {
  it.live("list names the cache folder, then every dataset with its split", () =>
    Effect.gen(function*() {
      const dataDir = mkdtempSync(join(tmpdir(), "cli-"))
      const { exit, lines } = yield* cli(["list", "--data-dir", dataDir])
      assert.strictEqual(exit._tag, "Success")
      assert.strictEqual(lines[0], `cache folder ${dataDir}`)
      const text = lines.join("\n")
      for (const name of ["mnist", "fashion-mnist", "cifar10", "norb-jittered", "norb-small", "emnist-byclass"]) assert.include(text, name)
      assert.include(text, "233172/58428/58320")
    }))

  it.live("fetch downloads through --mirror into --data-dir, checking structure; verify re-checks and fails on a tampered file", () =>
    Effect.gen(function*() {
      // Official-size small NORB files (24,300 pairs each, all zeros): no checksum is published, so the structure decides.
      const dat = yield* Effect.promise(() => zeroNorbDatGz(24_300, 96))
      const cat = gzip(norbCat(Array.from({ length: 24_300 }, (_, i) => i % 5)))
      const prefix = "/m/smallnorb-5x"
      for (const split of ["46789x9x18x6x2x96x96-training", "01235x9x18x6x2x96x96-testing"]) {
        served.set(`${prefix}${split}-dat.mat.gz`, dat)
        served.set(`${prefix}${split}-cat.mat.gz`, cat)
      }
      const dataDir = mkdtempSync(join(tmpdir(), "cli-"))
      const fetched = yield* cli(["fetch", "norb-small", "--data-dir", dataDir, "--mirror", `${base}/m`])
      assert.strictEqual(fetched.exit._tag, "Success")
      const datPath = join(dataDir, "norb-small/smallnorb-5x46789x9x18x6x2x96x96-training-dat.mat.gz")
      assert.isTrue(existsSync(datPath))
      const verified = yield* cli(["verify", "norb-small", "--data-dir", dataDir])
      assert.strictEqual(verified.exit._tag, "Success")
      assert.strictEqual(verified.lines.filter((l) => l.startsWith("ok")).length, 4)
      assert.isTrue(verified.lines.some((l) => l.includes("NORB uint8 matrix 24300x2x96x96, gzipped; sha256 (recorded)")))
      writeFileSync(datPath, "tampered")
      const failed = yield* cli(["verify", "norb-small", "--data-dir", dataDir])
      assert.strictEqual(failed.exit._tag, "Failure")
      assert.isTrue(failed.lines.some((l) => l.startsWith("FAILED") && l.includes(datPath)))
    }))

  it.live("verify says FAILED, not ok, for a 0-byte NORB file whose sha256 was recorded on first use", () =>
    Effect.gen(function*() {
      const dataDir = mkdtempSync(join(tmpdir(), "cli-"))
      mkdirSync(join(dataDir, "norb-small"))
      const empty = join(dataDir, "norb-small/smallnorb-5x46789x9x18x6x2x96x96-training-dat.mat.gz")
      writeFileSync(empty, "")
      writeFileSync(`${empty}.sha256`, `${createHash("sha256").digest("hex")}\n`)
      const { errors, exit, lines } = yield* cli(["verify", "norb-small", "--data-dir", dataDir])
      assert.strictEqual(exit._tag, "Failure")
      assert.isTrue(lines.some((l) => l.startsWith("FAILED") && l.includes(empty) && l.includes("bad compressed data")), lines.join("\n"))
      assert.isTrue(errors.some((e) => e.includes(`${empty}: bad compressed data`)), "the failure is printed, not only the exit code")
      assert.isFalse(lines.some((l) => l.startsWith("ok") && l.includes(empty)))
    }))

  // Offline for real: the command runs in a network namespace of its own, where no address is reachable.
  const canIsolate = spawnSync("unshare", ["-n", "true"]).status === 0
  it.live.skipIf(!canIsolate)("offline, `datasets fetch cifar10` prints one line naming the dataset, each source tried and what to do, and exits 1", () =>
    Effect.gen(function*() {
      const dataDir = mkdtempSync(join(tmpdir(), "cli-"))
      const bin = join(import.meta.dirname, "../../../apps/cli/src/bin.ts")
      const result = spawnSync("unshare", ["-n", process.execPath, bin, "datasets", "fetch", "cifar10", "--data-dir", dataDir, "--mirror", "http://127.0.0.1:9/c"], {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" }
      })
      // Data that cannot be had is a run failure: exit 3 (apps/cli/src/ExitCode.ts).
      assert.strictEqual(result.status, 3)
      const lines = result.stderr.split("\n").filter((l) => l.includes("could not be downloaded"))
      assert.strictEqual(lines.length, 1, `printed once; stderr: ${result.stderr}`)
      const line = lines[0]
      assert.isDefined(line, `stderr: ${result.stderr}`)
      assert.match(line!, /^\s*cifar10: cifar10\/cifar-10-binary.tar.gz could not be downloaded; tried 2 sources: /)
      assert.include(line!, "http://127.0.0.1:9/c/cifar-10-binary.tar.gz (")
      assert.include(line!, "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz (")
      assert.include(line!, "--mirror BASE_URL")
      assert.include(line!, `put a copy of the file at ${join(dataDir, "cifar10/cifar-10-binary.tar.gz")}`)
      assert.deepStrictEqual(readdirSync(join(dataDir, "cifar10")), [], "no partial file or lock left")
    }))

  it.live("verify mnist checks the embedded files against the official md5 sums", () =>
    Effect.gen(function*() {
      const { exit, lines } = yield* cli(["verify", "mnist"])
      assert.strictEqual(exit._tag, "Success")
      assert.isTrue(lines.some((l) => l.includes("6bbc9ace898e44ae57da46a324031adb")))
    }))
})
