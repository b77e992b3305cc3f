/**
 * A native addon that was not built at install (issue 16: the install exited
 * 0 and runs fell back to wasm, 5-7x slower, with nothing said). The install
 * script runs on a copy of packages/backend-native, so the real addon is
 * untouched; a CLI run then loads the copy's addon (`RECTIFIER_NATIVE_ADDON`)
 * and must say, in one line on stderr, that native is unavailable, why (the
 * reason the install recorded) and what it costs.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { repositoryRoot, temporaryFolder } from "./helpers.ts"

const packageDir = join(repositoryRoot, "packages", "backend-native")
const nativeBuilt = existsSync(join(packageDir, "build", "Release", "rectifier_native.node"))
const canHideHeaders = spawnSync("unshare", ["-m", "true"]).status === 0
const hasPnpm = spawnSync("pnpm", ["--version"]).status === 0

/** The package's install inputs in a fresh folder (its dependencies linked). */
const packageCopy = (label: string) => {
  const copy = join(temporaryFolder(label), "backend-native")
  mkdirSync(copy)
  for (const entry of ["scripts", "addon", "binding.gyp", "package.json"]) cpSync(join(packageDir, entry), join(copy, entry), { recursive: true })
  symlinkSync(join(packageDir, "node_modules"), join(copy, "node_modules"))
  return copy
}

/** A tiny CLI run on `auto` whose native backend is the copy's addon. */
const runOnAuto = (copy: string) => {
  const out = temporaryFolder("fallback-run")
  const run = spawnSync(process.execPath, [
    "apps/cli/src/bin.ts", "pipeline", "mnist-relu", "--epochs", "1", "--train-size", "100", "--eval-size", "50",
    "--hidden", "8", "--backend", "auto", "--out", out
  ], {
    cwd: repositoryRoot,
    encoding: "utf8",
    env: { ...process.env, RECTIFIER_NATIVE_ADDON: join(copy, "build", "Release", "rectifier_native.node") }
  })
  assert.strictEqual(run.status, 0, run.stderr)
  const notices = run.stderr.split("\n").filter((line) => line.startsWith("native backend unavailable: "))
  assert.strictEqual(notices.length, 1, `one line on stderr:\n${run.stderr}`)
  const record = JSON.parse(readFileSync(join(run.stdout.trim().split("\n").at(-1)!, "results.json"), "utf8")) as {
    environment: { backend: { name: string; skipped: Array<{ name: string; reason: string }> } }
  }
  return { notice: notices[0]!, record }
}

describe("a native addon not built at install (install script, then CLI)", () => {
  it.skipIf(!canHideHeaders)("without OpenBLAS's headers the install succeeds with one line saying why and how to fix it; runs say so", () => {
    const copy = packageCopy("no-headers")
    const empty = temporaryFolder("empty-include")
    // A mount namespace of its own, where /usr/include (and so every cblas.h under it) is an empty folder.
    const install = spawnSync("unshare", ["-m", "sh", "-c", 'mount --bind "$0" /usr/include && exec "$1" scripts/build.mjs', empty, process.execPath], {
      cwd: copy,
      encoding: "utf8"
    })
    assert.strictEqual(install.status, 0, "a missing OpenBLAS still installs")
    const lines = install.stdout.trim().split("\n")
    assert.strictEqual(lines.length, 1, install.stdout)
    assert.match(lines[0]!, /^backend-native: the OpenBLAS addon was not built: OpenBLAS's headers \(cblas\.h\) were not found in \/usr\/include, /)
    assert.include(lines[0]!, "apt-get install libopenblas-dev")
    assert.include(lines[0]!, "pnpm rebuild @rectifier/backend-native")
    assert.include(lines[0]!, "wasm, 5-7x slower")

    const { notice, record } = runOnAuto(copy)
    assert.include(notice, "cblas.h) were not found")
    assert.include(notice, "apt-get install libopenblas-dev")
    assert.match(notice, /running on wasm instead, 5-7x slower/)
    assert.strictEqual(record.environment.backend.name, "wasm")
  })

  it.skipIf(!nativeBuilt || !hasPnpm)("a compile error with OpenBLAS present prints the compiler's lines and the reason; runs name it", () => {
    const copy = packageCopy("compile-error")
    const source = join(copy, "addon", "native.cc")
    writeFileSync(source, `#error injected compile error\n${readFileSync(source, "utf8")}`)
    const install = spawnSync("pnpm", ["run", "build:addon"], { cwd: copy, encoding: "utf8" })
    assert.strictEqual(install.status, 0, install.stdout + install.stderr)
    const output = install.stdout + install.stderr
    assert.include(output, "error: #error injected compile error", "the compiler's own lines are shown")
    const line = output.split("\n").find((l) => l.startsWith("backend-native: the OpenBLAS addon was not built: it failed to compile"))
    assert.isDefined(line, output)
    assert.include(line!, "#error injected compile error", line)
    assert.include(line!, join(copy, "build", "not-built.txt"))

    const { notice, record } = runOnAuto(copy)
    assert.include(notice, "failed to compile although OpenBLAS's headers are in ")
    assert.include(notice, "#error injected compile error")
    assert.include(notice, "running on wasm instead")
    assert.include(record.environment.backend.skipped.find((s) => s.name === "native")?.reason ?? "", "failed to compile")
  })
})
