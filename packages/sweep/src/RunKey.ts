/**
 * Run identity: a run is named by the SHA-256 of its resolved configuration
 * (which holds its seed and backend choice) and the code version, so an
 * unchanged run is recognised as done and a changed one is never confused
 * with it.
 */
import type { RunConfig } from "@rectifier/report"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { createRequire } from "node:module"

/** JSON with object keys sorted at every level, so equal values hash equally. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
      : v)

/** The git commit of the working tree when there is one, else "package-<version>". */
export const codeVersion = (): string => {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: import.meta.dirname,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"]
    }).trim()
  } catch {
    const require = createRequire(import.meta.url)
    return `package-${(require("../package.json") as { version: string }).version}`
  }
}

/** The first 12 hex digits of the hash of `config` and `code`. */
export const runKey = (config: RunConfig, code: string): string =>
  createHash("sha256").update(canonicalJson({ config, code })).digest("hex").slice(0, 12)

/** A folder-safe form of a cell label: "tanh, pre-trained" -> "tanh-pre-trained". */
export const slug = (label: string): string =>
  label.toLowerCase().replace(/[^a-z0-9.]+/g, "-").replace(/^-+|-+$/g, "") || "run"
