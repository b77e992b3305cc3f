/**
 * The public surface is deliberate: each library package's exported names
 * match its checked-in API report (packages/<folder>/api-report.md, written
 * by `pnpm run api`), and every library carries the same version and the
 * metadata a published package needs.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { apiReport, exportedNames, reportPath } from "../scripts/api-report.ts"
import { libraries } from "../scripts/libraries.ts"

interface Manifest {
  readonly version: string
  readonly license?: string
  readonly repository?: { readonly url: string; readonly directory: string }
  readonly engines?: { readonly node: string }
  readonly files?: ReadonlyArray<string>
  readonly exports: Readonly<Record<string, string>>
  readonly publishConfig?: { readonly exports?: Readonly<Record<string, { readonly types: string; readonly default: string }>> }
}

const manifestOf = (path: string): Manifest => JSON.parse(readFileSync(join(path, "package.json"), "utf8"))

describe("the library packages", () => {
  it.live("export exactly the names their API reports list", () =>
    Effect.sync(() => {
      for (const [library, points] of exportedNames()) {
        const report = readFileSync(reportPath(library), "utf8")
        assert.strictEqual(apiReport(library, points), report,
          `${library.name}'s exports differ from ${reportPath(library)}: export on purpose, then run pnpm run api`)
      }
    }), 300_000)

  it.live("move their versions together and carry what a published package needs", () =>
    Effect.sync(() => {
      const all = libraries()
      assert.isAbove(all.length, 0)
      const versions = new Set(all.map((library) => library.version))
      assert.strictEqual(versions.size, 1, `one version for every library, got ${[...versions].join(", ")}`)
      for (const library of all) {
        const manifest = manifestOf(library.path)
        assert.isString(manifest.license, `${library.name}: license`)
        assert.strictEqual(manifest.repository?.directory, `packages/${library.folder}`, `${library.name}: repository.directory`)
        assert.match(manifest.engines?.node ?? "", />=22/, `${library.name}: engines.node`)
        assert.includeMembers([...(manifest.files ?? [])], ["dist", "README.md"], `${library.name}: files`)
        // Each source entry point has a built one in the tarball (publishConfig replaces exports at pack).
        for (const [entry, source] of Object.entries(manifest.exports)) {
          const built = source.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, "")
          assert.deepStrictEqual(manifest.publishConfig?.exports?.[entry], { types: `${built}.d.ts`, default: `${built}.js` },
            `${library.name}: publishConfig.exports["${entry}"]`)
        }
      }
    }))
})
