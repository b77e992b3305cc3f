import { existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeServices } from "@effect/platform-node"
import { afterAll, assert, beforeAll, describe, it, vi } from "@effect/vitest"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { datasetsCommand } from "../src/index.ts"
import { gzip, norbCat, norbDat } from "./fixtures.ts"

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
  it.live("list names every dataset with its split", () =>
    Effect.gen(function*() {
      const { exit, lines } = yield* cli(["list", "--data-dir", mkdtempSync(join(tmpdir(), "cli-"))])
      assert.strictEqual(exit._tag, "Success")
      const text = lines.join("\n")
      for (const name of ["mnist", "fashion-mnist", "cifar10", "norb-jittered", "norb-small", "emnist-byclass"]) assert.include(text, name)
      assert.include(text, "233172/58428/58320")
    }))

  it.live("fetch downloads through --mirror into --data-dir; verify re-checks and fails on a tampered file", () =>
    Effect.gen(function*() {
      const prefix = "/m/smallnorb-5x"
      for (const [split, set] of [["46789x9x18x6x2x96x96-training", 0], ["01235x9x18x6x2x96x96-testing", 1]] as const) {
        served.set(`${prefix}${split}-dat.mat.gz`, gzip(norbDat(2, 96)))
        served.set(`${prefix}${split}-cat.mat.gz`, gzip(norbCat([set, 1])))
      }
      const dataDir = mkdtempSync(join(tmpdir(), "cli-"))
      const fetched = yield* cli(["fetch", "norb-small", "--data-dir", dataDir, "--mirror", `${base}/m`])
      assert.strictEqual(fetched.exit._tag, "Success")
      const dat = join(dataDir, "norb-small/smallnorb-5x46789x9x18x6x2x96x96-training-dat.mat.gz")
      assert.isTrue(existsSync(dat))
      const verified = yield* cli(["verify", "norb-small", "--data-dir", dataDir])
      assert.strictEqual(verified.exit._tag, "Success")
      assert.strictEqual(verified.lines.filter((l) => l.startsWith("ok")).length, 4)
      writeFileSync(dat, "tampered")
      const failed = yield* cli(["verify", "norb-small", "--data-dir", dataDir])
      assert.strictEqual(failed.exit._tag, "Failure")
      assert.isTrue(failed.lines.some((l) => l.startsWith("FAILED") && l.includes(dat)))
      assert.isTrue(failed.errors.some((e) => e.includes(`${dat}: sha256 (recorded at download) is`)), "the failure is printed, not only the exit code")
    }))

  it.live("verify mnist checks the embedded files against the official md5 sums", () =>
    Effect.gen(function*() {
      const { exit, lines } = yield* cli(["verify", "mnist"])
      assert.strictEqual(exit._tag, "Success")
      assert.isTrue(lines.some((l) => l.includes("6bbc9ace898e44ae57da46a324031adb")))
    }))
})
