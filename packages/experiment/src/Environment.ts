/**
 * What a run record says about the software and machine it ran on, and the
 * source it ran from: the git commit and whether the working tree differed
 * from it (a dirty tree's numbers are not the commit's).
 */
import { NUMERICS_VERSION } from "@rectifier/core"
import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { cpus, platform, release } from "node:os"

const require = createRequire(import.meta.url)

const versionOf = (name: string): string => {
  try {
    return (require(`${name}/package.json`) as { version: string }).version
  } catch {
    return "unknown"
  }
}

const git = (args: ReadonlyArray<string>): string | undefined => {
  try {
    return execFileSync("git", args, { cwd: import.meta.dirname, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
  } catch {
    return undefined
  }
}

/** The commit the code runs from and whether tracked files differ from it; undefined outside a git checkout. */
export const sourceRevision = (): { readonly commit: string; readonly dirty: boolean } | undefined => {
  const commit = git(["rev-parse", "HEAD"])?.trim()
  if (commit === undefined || commit === "") return undefined
  const status = git(["status", "--porcelain", "--untracked-files=no"])
  return { commit, dirty: status === undefined || status.trim() !== "" }
}

export const environment = () => {
  const cores = cpus()
  const source = sourceRevision()
  return {
    rectifier: (require("../package.json") as { version: string }).version,
    numericsVersion: NUMERICS_VERSION,
    ...(source === undefined ? {} : { commit: source.commit, dirty: source.dirty }),
    node: process.version,
    platform: `${platform()} ${release()} ${process.arch}`,
    cpu: cores[0]?.model.trim() ?? "unknown",
    cpus: cores.length,
    libraries: {
      effect: versionOf("effect"),
      "@tensorflow/tfjs-core": versionOf("@tensorflow/tfjs-core")
    }
  }
}
