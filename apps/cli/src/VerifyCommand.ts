/**
 * `verify <run folder>`: re-runs a recorded run from its results.json and
 * says whether the results are identical (timings and machine ignored),
 * listing each differing field otherwise; exits non-zero on a difference.
 */
import { percent } from "@rectifier/core"
import { verifyRun } from "@rectifier/experiment"
import { blasKernelOf, describeDifferences } from "@rectifier/record"
import { Console, Effect } from "effect"
import { Argument, CliError, Command } from "effect/cli"
import { Mismatch } from "./ExitCode.ts"

/** What to do when the record ran on another OpenBLAS kernel set than this machine picked. */
const kernelHint = (recorded: string | undefined, here: string | undefined): Array<string> =>
  recorded !== undefined && here !== undefined && recorded !== here
    ? [`the record's products ran on OpenBLAS's ${recorded} kernels and this machine picked ${here}, which round ` +
      `differently; re-run with OPENBLAS_CORETYPE=${recorded} (where this CPU supports that kernel set) to reproduce it to the bit`]
    : []

export const verifyCommand = Command.make(
  "verify",
  { folder: Argument.String("folder").pipe(Argument.withDescription("a run folder (holding results.json)")) },
  ({ folder }) =>
    Effect.gen(function*() {
      yield* Console.log(`re-running ${folder} from its record...`)
      const { recorded, rerun, differences } = yield* verifyRun(folder)
      if (differences.length === 0) {
        yield* Console.log(
          `identical: ${recorded.epochs.length} epochs, test error ${percent(recorded.result.testError)}, ` +
            "every recorded value reproduced (timings and machine ignored)"
        )
        return
      }
      const lines = describeDifferences(differences.slice(0, 40), { expected: "recorded", actual: "re-run" }).split("\n")
      const detail = [`NOT identical: ${differences.length} field(s) differ`, ...lines,
        ...(differences.length > 40 ? [`  ... and ${differences.length - 40} more`] : []),
        ...kernelHint(blasKernelOf(recorded), blasKernelOf(rerun))].join("\n")
      return yield* Effect.fail(new CliError.UserError({ cause: new Mismatch({ detail }), userMessage: detail }))
    }).pipe(Effect.mapError((error) =>
      error instanceof CliError.UserError ? error : new CliError.UserError({ cause: error, userMessage: error.message })
    ))
).pipe(Command.withDescription("Re-run a recorded run and check that its results are identical"))
