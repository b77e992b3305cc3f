/** Running `bench <argv>` in a test as the app would, its printing captured; and parsing flags with a measurement that does nothing. */
import { NodeServices } from "@effect/platform-node"
import { vi } from "@effect/vitest"
import { Effect, type FileSystem, type Path } from "effect"
import { Command } from "effect/cli"
import type { ChildProcessSpawner } from "effect/process"
import { makeBenchCommand } from "../src/BenchCommand.ts"
import type { BenchOptions } from "../src/Options.ts"

/** Runs `bench <argv>` as the app would, its printing captured rather than shown. */
export const runBench = <I, C, E>(
  command: Command.Command<"bench", I, C, E, FileSystem.FileSystem | Path.Path | ChildProcessSpawner.ChildProcessSpawner>,
  argv: ReadonlyArray<string>
) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const log = vi.spyOn(console, "log").mockImplementation((...parts: Array<unknown>) => void lines.push(parts.join(" ")))
    const error = vi.spyOn(console, "error").mockImplementation(() => {})
    const exit = yield* Command.runWith(command, { version: "test" })(argv).pipe(
      Effect.provide(NodeServices.layer),
      Effect.exit,
      Effect.ensuring(Effect.sync(() => {
        log.mockRestore()
        error.mockRestore()
      }))
    )
    return { exit, lines }
  })

/** The options `bench <argv>` hands to its measurement, which here measures nothing. */
export const parse = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    let received: BenchOptions | undefined
    const { exit } = yield* runBench(makeBenchCommand((options) => Effect.sync(() => void (received = options))), argv)
    return { exit, options: received }
  })
