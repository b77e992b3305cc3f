/**
 * The `datasets` command line: `list`, `fetch <name>` and `verify <name>`,
 * sharing `--data-dir` (the cache folder, else the environment's: see
 * `DataSourceConfig.ts`) and `--mirror` (base URLs tried before the official
 * ones, repeatable); `RECTIFIER_OFFLINE=1` makes `fetch` download nothing.
 * The app mounts `datasetsCommand`.
 * A failure is printed by `Command.run` (the errors carry
 * `CliError.userMessage`): one line naming the dataset, file, every address
 * tried with its reason, and what to do.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { FetchHttpClient } from "effect/http"
import { type DatasetError, NotCached } from "../DatasetError.ts"
import { DEBIAN_FASHION_MNIST, fashionMnistFiles } from "../datasets/FashionMnist.ts"
import { idxBytes } from "../datasets/MnistFormat.ts"
import { datasetNames, type DatasetSpec } from "../DatasetSpec.ts"
import { resolveDataSource } from "../DataSourceConfig.ts"
import {
  cachePath,
  type CacheOptions,
  ensureFile,
  formatProgress,
  type Progress,
  type RemoteFile,
  urlsOf,
  verifyFile,
  type Waiting
} from "../Download.ts"
import { embeddedMnistDirectory, mnistFiles } from "../Mnist.ts"
import { registry } from "../Registry.ts"

const root = Command.make("datasets").pipe(
  Command.withSharedFlags({
    dataDir: Flag.String("data-dir").pipe(
      Flag.withDescription(
        "Cache folder for downloaded files (default: $RECTIFIER_DATA_DIR, else $XDG_CACHE_HOME/rectifier/datasets, " +
          "else ~/.cache/rectifier/datasets)"
      ),
      Flag.optional
    ),
    mirror: Flag.String("mirror").pipe(
      Flag.withDescription("Base URL tried before the official addresses; repeat for several"),
      Flag.atLeast(0)
    )
  }),
  Command.withDescription("List, download and verify the datasets of the paper")
)

/** The shared flags as cache options, with the cache folder and the offline switch decided (the flag, else the environment). */
const cacheOptions = Effect.gen(function*() {
  const { dataDir, mirror } = yield* root
  const source = yield* resolveDataSource({ dataDir: Option.getOrUndefined(dataDir) })
  return {
    ...source,
    mirrors: mirror,
    onProgress: (progress: Progress) => process.stderr.write(`${formatProgress(progress)}\n`),
    onWaiting: (waiting: Waiting) =>
      process.stderr.write(`${waiting.file}: another process (pid and host ${waiting.owner}) is downloading it; waiting\n`)
  } satisfies CacheOptions
})

const name = Argument.Literals("name", datasetNames).pipe(Argument.withDescription("The dataset"))

/** Files that stand in for the cache: MNIST's embedded copy and Debian's Fashion-MNIST. */
const localFiles = (spec: DatasetSpec): Array<{ readonly path: string; readonly file: RemoteFile }> | undefined => {
  if (spec.name === "mnist") {
    return Object.values(mnistFiles).map((entry) => ({
      path: join(embeddedMnistDirectory(), entry.name),
      file: {
        dataset: "mnist",
        path: entry.name,
        remotePath: entry.name,
        mirrors: [],
        size: { exact: idxBytes(entry) },
        checksum: { algorithm: "md5", value: entry.md5, of: "file" }
      }
    }))
  }
  if (spec.name === "fashion-mnist" && existsSync(join(DEBIAN_FASHION_MNIST, fashionMnistFiles.trainImages.name))) {
    return spec.files.map((file) => ({ path: join(DEBIAN_FASHION_MNIST, file.remotePath), file }))
  }
  return undefined
}

const list = Command.make("list", {}, () =>
  Effect.gen(function*() {
    const options = yield* cacheOptions
    yield* Console.log(`cache folder ${options.dataDir}${options.offline ? " (downloads off: RECTIFIER_OFFLINE)" : ""}`)
    for (const spec of Object.values(registry)) {
      const local = localFiles(spec)
      const where = local !== undefined
        ? spec.name === "mnist" ? "embedded" : "Debian package"
        : `${spec.files.filter((file) => existsSync(cachePath(file, options.dataDir))).length}/${spec.files.length} files cached`
      const { test, train, validation } = spec.split
      yield* Console.log(
        `${spec.name.padEnd(15)} ${String(spec.classes).padStart(2)} classes  ${spec.exampleShape(32).join("x").padEnd(8)} ` +
          `split ${train}/${validation}/${test}  ${where}\n    ${spec.description}`
      )
    }
  })).pipe(Command.withDescription("The cache folder, then the datasets, their split and whether their files are present"))

const fetch = Command.make("fetch", { name }, ({ name }) =>
  Effect.gen(function*() {
    const options = yield* cacheOptions
    const spec = registry[name]
    const local = localFiles(spec)
    if (local !== undefined) {
      yield* Console.log(`${name}: nothing to download, using ${local.map((l) => l.path).join(", ")}`)
      return
    }
    for (const file of spec.files) {
      const path = yield* ensureFile(file, options)
      yield* Console.log(`${file.path}: ${path}`)
    }
  })).pipe(
    Command.withDescription("Download a dataset's files into the cache, verifying each before it is kept"),
    Command.provide(FetchHttpClient.layer)
  )

const verify = Command.make("verify", { name }, ({ name }) =>
  Effect.gen(function*() {
    const options = yield* cacheOptions
    const spec = registry[name]
    const entries = localFiles(spec) ?? spec.files.map((file) => ({ path: cachePath(file, options.dataDir), file }))
    let firstError: DatasetError | undefined
    for (const { file, path } of entries) {
      if (!existsSync(path)) {
        firstError ??= new NotCached({ file: file.path, url: urlsOf(file, options)[0] ?? file.remotePath, destination: path })
        yield* Console.log(`missing  ${path}`)
        continue
      }
      const result = yield* Effect.result(verifyFile(path, file))
      if (result._tag === "Success") {
        const { against, algorithm, digest } = result.success
        const what = file.structure === undefined ? against : file.structure.description
        yield* Console.log(`ok       ${path} (${what}; ${algorithm} ${digest})`)
      } else {
        firstError ??= result.failure
        yield* Console.log(`FAILED   ${result.failure.message}`)
      }
    }
    if (firstError !== undefined) return yield* firstError
  })).pipe(Command.withDescription("Re-check a dataset's files against their checksums"))

/**
 * The `datasets` command with its `list`, `fetch` and `verify` subcommands,
 * for an app to mount under its root command; `fetch` brings its own
 * (fetch-based) HTTP client.
 */
export const datasetsCommand = root.pipe(Command.withSubcommands([list, fetch, verify]))
