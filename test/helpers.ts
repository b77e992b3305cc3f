/** Shared pieces of the end-to-end tests: running the CLI as a user would. */
import { comparable, type RunRecord } from "@rectifier/record"
import { spawnSync } from "node:child_process"
import { chromium } from "playwright-core"
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export const repositoryRoot = resolve(import.meta.dirname, "..")

export const temporaryFolder = (label: string): string => mkdtempSync(join(tmpdir(), `rectifier-${label}-`))

export interface CommandResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
  /** The last non-empty line of standard output. */
  readonly lastLine: string
}

/** Runs a TypeScript entry point of the repository with the current Node, from the repository root. */
export const runNode = (args: ReadonlyArray<string>, timeoutMs = 300_000): CommandResult => {
  const child = spawnSync(process.execPath, args, { cwd: repositoryRoot, encoding: "utf8", timeout: timeoutMs })
  const lines = child.stdout.trim().split("\n")
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, lastLine: lines[lines.length - 1] ?? "" }
}

export const cli = (args: ReadonlyArray<string>) => runNode(["apps/cli/src/bin.ts", ...args])

/**
 * The run folders `pipeline` has under `out`, started ones included: a single
 * run is a sweep of one, so every run lives in `<out>/<pipeline>/<cell>-seed<N>-<key>/`.
 */
export const runFolders = (out: string, pipeline: string): Array<string> => {
  const base = join(out, pipeline)
  return existsSync(base)
    ? readdirSync(base).filter((name) => existsSync(join(base, name, "config.json"))).map((name) => join(base, name))
    : []
}

/** A run folder's results.json without timestamps, timings and machine facts. */
export const comparableRecord = (folder: string) =>
  comparable(JSON.parse(readFileSync(join(folder, "results.json"), "utf8")) as RunRecord) as {
    readonly epochs: ReadonlyArray<Readonly<Record<string, unknown>>>
    readonly [key: string]: unknown
  }

/** Debian's Chromium, headless and offline, as the report tests open pages in it. */
export const launchChromium = () =>
  chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"]
  })
