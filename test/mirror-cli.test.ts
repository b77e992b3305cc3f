/**
 * `pipeline --mirror`: the dataset download of a run, of its sweep's workers
 * and of a resume tries the mirror first, as `datasets fetch --mirror` does.
 * A loopback server plays the mirror and lies (it sends a file that is not
 * the dataset's); official addresses are kept off the network
 * (loopback-fetch.ts), so nothing but the mirror answers.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { repositoryRoot, temporaryFolder } from "./helpers.ts"

const requests: Array<string> = []
let server: Server
let mirror = ""
beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request.url ?? "")
    response.writeHead(200, { "content-length": 12 }).end("not a tar.gz")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

/** Runs the CLI without blocking this process (the mirror answers from it). */
const cli = (args: ReadonlyArray<string>) =>
  new Promise<{ status: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ["apps/cli/src/bin.ts", ...args], {
      cwd: repositoryRoot,
      env: { ...process.env, NODE_OPTIONS: `--import=${join(import.meta.dirname, "loopback-fetch.ts")}` }
    })
    let output = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
    child.on("exit", (status) => resolve({ status, output }))
  })

const file = "cifar-10-binary.tar.gz"

describe("pipeline --mirror (CLI)", () => {
  it("a sweep's workers and a resume download through --mirror first; the mirror's bad file is refused, naming it", async () => {
    const out = temporaryFolder("mirror")
    const dataDir = temporaryFolder("mirror-data")
    const sweep = await cli([
      "pipeline", "table1-cifar10", "--protocol", "shortcut", "--seeds", "1", "--epochs", "1", "--train-size", "100",
      "--eval-size", "50", "--hidden", "8", "--backend", "wasm", "--data-dir", dataDir, "--mirror", mirror, "--out", out
    ])
    // The data could not be had: the runs failed (exit 3, apps/cli/src/ExitCode.ts).
    assert.strictEqual(sweep.status, 3, sweep.output)
    assert.include(requests, `/m/${file}`, "the workers asked the mirror")
    assert.include(sweep.output, `${mirror}/${file} (`, "each failure names the mirror and its reason")
    const runs = readdirSync(join(out, "table1-cifar10")).filter((f) => existsSync(join(out, "table1-cifar10", f, "config.json")))
    assert.isAbove(runs.length, 0)
    for (const run of runs) assert.isFalse(existsSync(join(out, "table1-cifar10", run, "results.json")), "no record")
    assert.deepStrictEqual(readdirSync(join(dataDir, "cifar10")), [], "the refused file is not kept")

    requests.length = 0
    const resumed = await cli([
      "pipeline", "table1-cifar10", "--resume", join(out, "table1-cifar10", runs[0]!), "--data-dir", dataDir, "--mirror", mirror
    ])
    assert.strictEqual(resumed.status, 3, resumed.output)
    assert.include(requests, `/m/${file}`, "the resume asked the mirror")
    assert.include(resumed.output, `${mirror}/${file} (`)
    assert.include(resumed.output, join(dataDir, "cifar10", file), "the resume used --data-dir")
  })
})
