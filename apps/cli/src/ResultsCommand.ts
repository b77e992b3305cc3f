/**
 * `results import <sweep folder> --command "..."`: copies a finished (or
 * partly finished) sweep into the repository's results registry,
 * `results/<pipeline>/`; `results readme`: rewrites README.md's results
 * table from the registry; `results readme --check`: exits non-zero when
 * README.md and `results/` disagree (the test suite runs it). A sweep takes
 * the registry's finished runs with `pipeline --reuse-results`.
 */
import { importResults, readResults, resultsTable, withResultsTable } from "@rectifier/experiment"
import { Console, Effect, FileSystem, Path } from "effect"
import { Argument, CliError, Command, Flag } from "effect/cli"
import { Mismatch } from "./ExitCode.ts"

const repository = new URL("../../..", import.meta.url).pathname

const resultsFlag = Flag.String("results").pipe(
  Flag.withDescription("the results registry folder (default results/ of this repository)"),
  Flag.withDefault(`${repository}results`)
)

const asUserError = (error: { readonly message: string }) =>
  error instanceof CliError.UserError ? error : new CliError.UserError({ cause: error, userMessage: error.message })

const importCommand = Command.make("import", {
  sweep: Argument.String("sweep").pipe(Argument.withDescription("a sweep folder (holding sweep.json)")),
  command: Flag.String("command").pipe(Flag.withDescription("the exact command that produced the sweep")),
  results: resultsFlag
}, ({ command, results, sweep }) =>
  Effect.gen(function*() {
    const entry = yield* importResults(sweep, results, command)
    yield* Console.log(
      `imported ${entry.finished}${entry.planned === undefined ? "" : ` of ${entry.planned}`} runs of ${entry.pipeline} ` +
        `into ${results}/${entry.pipeline}/`
    )
  }).pipe(Effect.mapError(asUserError))).pipe(
    Command.withDescription("Copy a sweep's reports and run records into the results registry")
  )

const readmeCommand = Command.make("readme", {
  check: Flag.Boolean("check").pipe(
    Flag.withDescription("only check that README.md's table matches the registry; exit 1 if not"),
    Flag.withDefault(false)
  ),
  readme: Flag.String("readme").pipe(Flag.withDescription("the README to write"), Flag.withDefault(`${repository}README.md`)),
  results: resultsFlag
}, ({ check, readme, results }) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const text = yield* fs.readFileString(readme)
    const next = withResultsTable(text, resultsTable(yield* readResults(results)))
    if (next === undefined) {
      return yield* new CliError.UserError({
        cause: undefined,
        userMessage: `${readme} has no results markers; add the two lines that \`results readme\` fills`
      })
    }
    if (check) {
      if (next !== text) {
        const detail = `${path.basename(readme)}'s results table differs from ${results}; run \`pnpm run results readme\``
        return yield* new CliError.UserError({ cause: new Mismatch({ detail }), userMessage: detail })
      }
      yield* Console.log(`${path.basename(readme)} matches ${results}`)
      return
    }
    yield* fs.writeFileString(readme, next)
    yield* Console.log(`${readme}: results table rewritten from ${results}`)
  }).pipe(Effect.mapError(asUserError))).pipe(
    Command.withDescription("Write README.md's results table from the results registry (or --check it)")
  )

export const resultsCommand = Command.make("results").pipe(
  Command.withDescription("The results registry: import sweeps, generate README's results table"),
  Command.withSubcommands([importCommand, readmeCommand])
)
