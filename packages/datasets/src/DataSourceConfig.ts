/**
 * Where dataset files come from when the caller does not say: the cache
 * folder and whether downloads are off, read from the environment through
 * Effect's `Config` (so an app or a test supplies them with a
 * `ConfigProvider` layer). Explicit options always win over the environment.
 *
 * - cache folder: `$RECTIFIER_DATA_DIR`, else `$XDG_CACHE_HOME/rectifier/datasets`,
 *   else `~/.cache/rectifier/datasets`;
 * - offline: `RECTIFIER_OFFLINE=1` (or `true`, `yes`, `on`); unset means downloads are on.
 */
import { homedir } from "node:os"
import { join } from "node:path"
import { Config, Effect, Option } from "effect"
import { DataSourceConfigInvalid } from "./DatasetError.ts"

/** The cache folder and whether downloads are off, every field decided. */
export interface DataSource {
  readonly dataDir: string
  readonly offline: boolean
}

/** `$RECTIFIER_DATA_DIR`, else `$XDG_CACHE_HOME/rectifier/datasets`, else `~/.cache/rectifier/datasets`. */
const dataDirConfig: Config.Config<string> = Config.all({
  dataDir: Config.option(Config.String("RECTIFIER_DATA_DIR")),
  cacheHome: Config.String("XDG_CACHE_HOME").pipe(Config.withDefault(join(homedir(), ".cache")))
}).pipe(Config.map(({ cacheHome, dataDir }) => Option.getOrElse(dataDir, () => join(cacheHome, "rectifier", "datasets"))))

/** `RECTIFIER_OFFLINE` as a boolean (`1`, `true`, `yes`, `on` / `0`, `false`, `no`, `off`); false when unset. */
const offlineConfig: Config.Config<boolean> = Config.Boolean("RECTIFIER_OFFLINE").pipe(Config.withDefault(false))

/** Reads `config` from the current provider; a value it cannot use is a typed error naming the variable. */
const read = <A>(config: Config.Config<A>) =>
  Effect.mapError(config, (error) => new DataSourceConfigInvalid({ problem: error.cause.message.replace(/\s+/g, " ") }))

/**
 * The data source of `options`: each field it gives, else the environment's.
 * The environment is read only for the fields left out.
 */
export const resolveDataSource = Effect.fnUntraced(function*(options: {
  readonly dataDir?: string | undefined
  readonly offline?: boolean | undefined
}): Effect.fn.Return<DataSource, DataSourceConfigInvalid> {
  return {
    dataDir: options.dataDir ?? (yield* read(dataDirConfig)),
    offline: options.offline ?? (yield* read(offlineConfig))
  }
})
