/**
 * The API reference: TypeDoc over every library package's entry points, one
 * Markdown page per package in docs/api/, from the doc comments. Fails (exit
 * 1) on any warning: an undocumented export, a broken `{@link}`, or an
 * exported name that refers to a type the package does not export.
 * `pnpm run api` runs it after the API report; `--check` validates without
 * writing pages (what test/api-docs.test.ts runs).
 *
 * docs/api-undocumented.txt lists the exports that had no doc comment when
 * the check was introduced: they are let through, a new undocumented export
 * fails, and so does a listed name once it is documented (take it off the
 * list). `--baseline` rewrites the list from the current sources; use it
 * only to accept undocumented exports on purpose.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Application, type TypeDocOptions } from "typedoc"
import { libraries, repositoryRoot } from "./libraries.ts"

const check = process.argv.includes("--check")
const baseline = process.argv.includes("--baseline")
const backlogFile = join(repositoryRoot, "docs", "api-undocumented.txt")
const backlog = baseline || !existsSync(backlogFile)
  ? []
  : readFileSync(backlogFile, "utf8").split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"))
const all = libraries()
const entryPoints = all.flatMap((library) => {
  const manifest = JSON.parse(readFileSync(join(library.path, "package.json"), "utf8")) as { exports: Record<string, string> }
  return Object.values(manifest.exports).map((source) => join(library.path, source))
})

// One program over every entry point (a generated tsconfig naming them), so the packages are converted together.
const cache = join(repositoryRoot, ".cache", "typedoc")
mkdirSync(cache, { recursive: true })
const tsconfig = join(cache, "tsconfig.json")
writeFileSync(tsconfig, JSON.stringify({ extends: join(repositoryRoot, "tsconfig.base.json"), files: entryPoints }))

// typedoc-plugin-markdown's option: one page per package (module).
const markdown = { outputFileStrategy: "modules" }
const options: Partial<TypeDocOptions> = {
  ...markdown,
  entryPoints,
  entryPointStrategy: "resolve",
  tsconfig,
  plugin: ["typedoc-plugin-markdown"],
  out: join(repositoryRoot, "docs", "api"),
  readme: "none",
  excludePrivate: true,
  excludeInternal: true,
  // A Schema.TaggedError class inherits Effect's own static helpers, whose comments link into Effect's docs.
  excludeExternals: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true, unusedMergeModuleWith: true, rewrittenLink: true },
  // Undocumented exports of these packages fail the check (the default is only the root package).
  packagesRequiringDocumentation: all.map((library) => library.name),
  intentionallyNotDocumented: backlog,
  requiredToBeDocumented: ["Class", "Function", "Variable", "Interface", "TypeAlias", "Enum"],
  treatValidationWarningsAsErrors: true,
  treatWarningsAsErrors: true,
  logLevel: "Warn",
  disableSources: true
}

const app = await Application.bootstrapWithPlugins(options)
const project = await app.convert()
if (project === undefined) process.exit(1)
if (baseline) {
  const undocumented: Array<string> = []
  const warn = app.logger.validationWarning.bind(app.logger)
  app.logger.validationWarning = (text) => {
    const name = /^(.+) \(\w+\), defined in .* does not have any documentation$/.exec(text)?.[1]
    if (name === undefined) warn(text)
    else undocumented.push(name)
  }
  app.validate(project)
  writeFileSync(backlogFile, [
    "# Exports without a doc comment, let through by scripts/api-docs.ts; document one, then take it off.",
    ...[...new Set(undocumented)].sort(),
    ""
  ].join("\n"))
} else {
  app.validate(project)
}
if (app.logger.hasErrors() || app.logger.hasWarnings()) process.exit(1)
if (!check) await app.generateOutputs(project)
if (app.logger.hasErrors() || app.logger.hasWarnings()) process.exit(1)
console.log(check ? `api-docs: ${all.length} packages documented` : `api-docs: ${join("docs", "api")} (${all.length} packages)`)
