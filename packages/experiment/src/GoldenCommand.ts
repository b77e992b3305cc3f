/** `golden check` and `golden update`: reproduce the golden records, or regenerate them deliberately. */
import { Console, Effect } from "effect"
import { Argument, CliError, Command } from "effect/cli"
import { describeDifferences } from "@rectifier/record"
import { checkCase, goldenLabels, updateCase } from "./Golden.ts"
import { goldenCases } from "./GoldenCase.ts"

const root = process.cwd()
const asUserError = (error: { readonly message: string }) =>
  new CliError.UserError({ cause: error, userMessage: error.message })

const names = Argument.String("case").pipe(
  Argument.withDescription(`golden cases to run (default: all of ${goldenCases.map((c) => c.name).join(", ")})`),
  Argument.variadic()
)

/** The chosen cases (all when none is named); a name that is not a case fails, naming it and the known ones. */
const selected = (chosen: ReadonlyArray<string>) => {
  const known = goldenCases.map((c) => c.name)
  const unknown = chosen.filter((name) => !known.includes(name))
  if (unknown.length > 0) {
    return Effect.fail(
      new CliError.UserError({
        cause: unknown,
        userMessage: `unknown golden case${unknown.length === 1 ? "" : "s"} ${unknown.map((n) => `"${n}"`).join(", ")}; ` +
          `known cases: ${known.join(", ")}; nothing was checked`
      })
    )
  }
  return Effect.succeed(chosen.length === 0 ? goldenCases : goldenCases.filter((c) => chosen.includes(c.name)))
}

const check = Command.make("check", { names }, ({ names }) =>
  Effect.flatMap(selected(names), (cases) =>
    Effect.forEach(cases, (golden) =>
      checkCase(root, golden).pipe(Effect.andThen(Console.log(`${golden.name}: reproduced`))), { discard: true }).pipe(
        Effect.mapError(asUserError)
      ))).pipe(Command.withDescription("Re-run each golden case and compare with golden/<case>.json"))

const update = Command.make("update", { names }, ({ names }) =>
  Effect.flatMap(selected(names), (cases) => Effect.forEach(cases, (golden) =>
    updateCase(root, golden).pipe(
      Effect.flatMap((moved) =>
        Console.log(
          moved === undefined
            ? `${golden.name}: written (new)`
            : moved.length === 0
            ? `${golden.name}: unchanged`
            : `${golden.name}: ${moved.length} value(s) moved\n${describeDifferences(moved, goldenLabels)}`
        )
      )
    ), { discard: true }).pipe(Effect.mapError(asUserError)))).pipe(
    Command.withDescription("Regenerate golden/<case>.json after an intended change, printing what moved")
  )

/** The CLI's `golden` command, with `check` and `update` subcommands over named cases (all by default), run from the working directory's `golden/`. */
export const goldenCommand = Command.make("golden").pipe(
  Command.withDescription("Golden run records that every change must reproduce"),
  Command.withSubcommands([check, update])
)
