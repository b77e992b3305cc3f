/**
 * The command line as the cluster tests drive it: runner processes (started,
 * awaited until they have joined, SIGKILLed or stopped), a submitter running
 * in the background, a local sweep, and the run board read from PostgreSQL.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { Effect } from "effect"
import { checkDatabaseUrl, databaseLayer, RunBoard } from "../src/index.ts"

export const repositoryRoot = resolve(import.meta.dirname, "../../..")
const bin = "apps/cli/src/bin.ts"

export interface Finished {
  readonly status: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
}

export interface Started {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<Finished>
}

/** Starts `bin.ts args` in the background, collecting its output. */
export const start = (args: ReadonlyArray<string>): Started => {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repositoryRoot, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const exited = new Promise<Finished>((done) =>
    child.on("exit", (status, signal) => done({ status, signal, stdout, stderr }))
  )
  return { child, output: () => stdout + stderr, exited }
}

/** Runs `bin.ts args` to its end. */
export const cli = (args: ReadonlyArray<string>, timeoutMs = 300_000): Finished => {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: repositoryRoot, encoding: "utf8", timeout: timeoutMs })
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr }
}

export const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

export interface Runner extends Started {
  readonly address: string
}

/** A runner on 127.0.0.1:`port`, resolved once it says it has joined. */
export const startRunner = async (database: string, runsDir: string, port: number): Promise<Runner> => {
  const runner = start(["cluster", "runner", "--database", database, "--runs-dir", runsDir, "--port", String(port)])
  await until(`runner ${port} to join`, () => {
    if (runner.child.exitCode !== null) throw new Error(`runner ${port} exited:\n${runner.output()}`)
    return runner.output().includes("joined the cluster")
  }, 60_000)
  return { ...runner, address: `127.0.0.1:${port}` }
}

/** Stops a runner (SIGTERM, then SIGKILL if it lingers) and waits for it. */
export const stop = async (process: Started) => {
  if (process.child.exitCode !== null || process.child.signalCode !== null) return
  process.child.kill("SIGTERM")
  const timer = setTimeout(() => process.child.kill("SIGKILL"), 20_000)
  await process.exited
  clearTimeout(timer)
}

/** The run board as the cluster sees it. */
export const board = (database: string) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const url = yield* checkDatabaseUrl("--database", database)
      return yield* RunBoard.use((b) => b.list()).pipe(Effect.provide(RunBoard.layer), Effect.provide(databaseLayer(url)))
    })
  )
