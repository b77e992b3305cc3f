/**
 * The packages as a user outside this repository gets them: the library
 * tarballs (`pnpm run pack-libraries`) installed with npm into a fresh project
 * in a temporary folder (no workspace links), the README's library example
 * and the stages example type-checked with tsc against the packed
 * declarations, compiled, and run with plain Node.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { repositoryRoot, temporaryFolder } from "./helpers.ts"

const manifest = (path: string) =>
  JSON.parse(readFileSync(join(repositoryRoot, path), "utf8")) as {
    readonly dependencies?: Readonly<Record<string, string>>
    readonly devDependencies?: Readonly<Record<string, string>>
  }

// This Node first on PATH, so npm's install scripts (the native addon's build) run under it.
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}`, npm_config_update_notifier: "false" }

const run = (command: string, args: ReadonlyArray<string>, cwd: string, timeout = 480_000) => {
  const child = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout })
  const output = `${child.stdout}${child.stderr}`
  assert.strictEqual(child.status, 0, `${command} ${args.join(" ")} in ${cwd}:\n${output}`)
  return child.stdout
}

/** Packs, sets up the project in `root`, installs, type-checks, compiles and runs both examples. */
const installAndRun = (root: string) => {
  const tarballs = join(root, "tarballs")
  run(process.execPath, ["scripts/pack.ts", tarballs], repositoryRoot)
  const packed = readdirSync(tarballs).filter((file) => file.endsWith(".tgz"))
  const name = (tarball: string) => `@rectifier/${tarball.replace(/^rectifier-/, "").replace(/-\d+\.\d+\.\d+\.tgz$/, "")}`

  const project = join(root, "project")
  const { dependencies = {} } = manifest("packages/experiment/package.json")
  const { devDependencies = {} } = manifest("package.json")
  mkdirSync(project)
  writeFileSync(join(project, "package.json"), JSON.stringify({
    name: "rectifier-user",
    private: true,
    type: "module",
    dependencies: {
      ...Object.fromEntries(packed.map((tarball) => [name(tarball), `file:${join(tarballs, tarball)}`])),
      "@effect/platform-node": dependencies["@effect/platform-node"],
      effect: dependencies["effect"]
    },
    devDependencies: { typescript: devDependencies["typescript"], "@types/node": devDependencies["@types/node"] }
  }, null, 2))
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2023",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: true,
      types: ["node"],
      outDir: "out"
    },
    include: ["*.ts"]
  }, null, 2))
  for (const example of ["library.ts", "stages.ts"]) {
    copyFileSync(join(repositoryRoot, "test/examples", example), join(project, example))
  }

  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], project)
  for (const tarball of packed) {
    const installed = join(project, "node_modules", name(tarball))
    assert.isFalse(lstatSync(installed).isSymbolicLink(), `${installed} is a copy, not a link`)
    assert.isTrue(existsSync(join(installed, "dist", "index.js")), `${installed} has its built dist/`)
  }
  // The addon is built at install where OpenBLAS's headers are; elsewhere the install says why and still succeeds.
  const native = join(project, "node_modules/@rectifier/backend-native/build")
  assert.isTrue(
    existsSync(join(native, "Release/rectifier_native.node")) || existsSync(join(native, "not-built.txt")),
    "backend-native's install either built the addon or recorded why not"
  )

  run(process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", "."], project)
  const library = run(process.execPath, ["out/library.js", join(project, "runs")], project)
  assert.match(library, /test error 0\.\d+, sparsity 0\.\d+/)
  assert.include(library, join(project, "runs"))
  const stages = run(process.execPath, ["out/stages.js"], project)
  assert.match(stages, /^test error 0\.\d+, sparsity [\d.e-]+, learning rate 0\.05$/m)
}

describe("an external project", () => {
  it.live("installs the packed packages with npm and runs both examples with tsc and plain Node", () =>
    Effect.sync(() => {
      const root = temporaryFolder("external")
      try {
        installAndRun(root)
      } finally {
        // The project's node_modules is about 500 MB.
        rmSync(root, { recursive: true, force: true })
      }
    }), 900_000)
})
