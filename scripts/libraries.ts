/**
 * The library packages: every workspace package under packages/ that is not
 * `"private": true`. They build to dist/, pack to tarballs, and have an API
 * report and an API reference page; a tool package (bench) stays private.
 * Adding a library is adding a package there without `private`.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"

export const repositoryRoot = resolve(import.meta.dirname, "..")

export interface Library {
  /** The npm name, e.g. `@rectifier/core`. */
  readonly name: string
  /** The folder under packages/, e.g. `core`. */
  readonly folder: string
  /** The absolute path of the package. */
  readonly path: string
  readonly version: string
}

export const libraries = (): ReadonlyArray<Library> =>
  readdirSync(join(repositoryRoot, "packages"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const path = join(repositoryRoot, "packages", entry.name)
      let manifest: { name: string; version: string; private?: boolean }
      try {
        manifest = JSON.parse(readFileSync(join(path, "package.json"), "utf8"))
      } catch {
        return []
      }
      return manifest.private === true ? [] : [{ name: manifest.name, folder: entry.name, path, version: manifest.version }]
    })
    .sort((a, b) => a.folder.localeCompare(b.folder))
