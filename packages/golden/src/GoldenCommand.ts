/** `golden check` and `golden update`: reproduce the golden records, or regenerate them deliberately. */
import { Console, Effect } from "effect"
import { Argument, CliError, Command } from "effect/cli"
import { describeDifferences } from "@rectifier/report"
import { checkCase, goldenLabels, updateCase } from "./Golden.ts"
import { goldenCases } from "./GoldenCase.ts"

const root = process.cwd()
const asUserError = (error: { readonly message: string }) =>
  new CliError.UserError({ cause: error, userMessage: error.message })

const names = Argument.String("case").pipe(
  Argument.withDescription(`golden cases to run (default: all of ${goldenCases.map((c) => c.name).join(", ")})`),
  Argument.variadic()
)

const selected = (chosen: ReadonlyArray<string>) =>
  chosen.length === 0 ? goldenCases : goldenCases.filter((c) => chosen.includes(c.name))

const check = Command.make("check", { names }, ({ names }) =>
  Effect.forEach(selected(names), (golden) =>
    checkCase(root, golden).pipe(Effect.andThen(Console.log(`${golden.name}: reproduced`))), { discard: true }).pipe(
      Effect.mapError(asUserError)
    )).pipe(Command.withDescription("Re-run each golden case and compare with golden/<case>.json"))

const update = Command.make("update", { names }, ({ names }) =>
  Effect.forEach(selected(names), (golden) =>
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
    ), { discard: true }).pipe(Effect.mapError(asUserError))).pipe(
    Command.withDescription("Regenerate golden/<case>.json after an intended change, printing what moved")
  )

export const goldenCommand = Command.make("golden").pipe(
  Command.withDescription("Golden run records that every change must reproduce"),
  Command.withSubcommands([check, update])
)
