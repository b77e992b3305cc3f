/**
 * `pnpm run pack-libraries [folder]`: builds the library packages (turbo,
 * cached) and packs each with `pnpm pack` into the folder (default
 * .packages/), which turns `workspace:*` ranges into versions and
 * publishConfig's `exports` (dist/) into the tarball's. Prints one line per
 * tarball (packed and unpacked size) and the totals; the last line is the folder.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs"
import { join, resolve } from "node:path"
import { libraries, repositoryRoot } from "./libraries.ts"

const destination = resolve(process.argv[2] ?? join(repositoryRoot, ".packages"))
const quiet = { stdio: ["ignore", "pipe", "inherit"] as ["ignore", "pipe", "inherit"], encoding: "utf8" as const, env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } }

const fail = (what: string, status: number | null) => {
  console.error(`pack-libraries: ${what} failed (exit ${status})`)
  process.exit(1)
}

const build = spawnSync("turbo", ["run", "build", "--output-logs=errors-only"], { ...quiet, cwd: repositoryRoot })
if (build.status !== 0) {
  process.stdout.write(build.stdout)
  fail("turbo run build", build.status)
}
rmSync(destination, { recursive: true, force: true })
mkdirSync(destination, { recursive: true })

/** The unpacked size: the sum of the file sizes `tar -tvzf` lists. */
const unpackedBytes = (tarball: string): number =>
  spawnSync("tar", ["-tvzf", tarball], quiet).stdout.trim().split("\n")
    .reduce((total, line) => total + Number(line.trim().split(/\s+/)[2] ?? 0), 0)

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`
let packed = 0
let unpacked = 0
for (const library of libraries()) {
  const before = new Set(readdirSync(destination))
  const result = spawnSync("pnpm", ["pack", "--pack-destination", destination], { ...quiet, cwd: library.path })
  if (result.status !== 0) fail(`pnpm pack in ${library.folder}`, result.status)
  const tarball = readdirSync(destination).find((file) => !before.has(file))
  if (tarball === undefined) fail(`pnpm pack in ${library.folder} (no tarball)`, result.status)
  const file = join(destination, tarball!)
  const size = statSync(file).size
  const contents = unpackedBytes(file)
  packed += size
  unpacked += contents
  console.log(`${tarball}  ${kib(size)} packed, ${kib(contents)} unpacked`)
}
console.log(`total  ${kib(packed)} packed, ${kib(unpacked)} unpacked`)
console.log(destination)
