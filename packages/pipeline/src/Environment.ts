/** What a run record says about the software and machine it ran on. */
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

export const environment = () => {
  const cores = cpus()
  return {
    rectifier: (require("../package.json") as { version: string }).version,
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
