import { homedir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { resolveDataSource } from "../src/index.ts"

/** The environment as a ConfigProvider layer: process.env is never touched. */
const withEnv = (env: Record<string, string>) => Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))

describe("the data source: explicit options, else the environment through Config", () => {
  it.effect("an explicit data dir wins over $RECTIFIER_DATA_DIR and $XDG_CACHE_HOME", () =>
    Effect.gen(function*() {
      const source = yield* resolveDataSource({ dataDir: "/explicit" }).pipe(
        withEnv({ RECTIFIER_DATA_DIR: "/from-env", XDG_CACHE_HOME: "/xdg" })
      )
      assert.strictEqual(source.dataDir, "/explicit")
    }))

  it.effect("$RECTIFIER_DATA_DIR wins over $XDG_CACHE_HOME", () =>
    Effect.gen(function*() {
      const source = yield* resolveDataSource({}).pipe(withEnv({ RECTIFIER_DATA_DIR: "/from-env", XDG_CACHE_HOME: "/xdg" }))
      assert.strictEqual(source.dataDir, "/from-env")
    }))

  it.effect("else $XDG_CACHE_HOME/rectifier/datasets, else ~/.cache/rectifier/datasets (an empty variable counts as unset)", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* resolveDataSource({}).pipe(withEnv({ XDG_CACHE_HOME: "/xdg" }))).dataDir, "/xdg/rectifier/datasets")
      const fallback = join(homedir(), ".cache", "rectifier", "datasets")
      assert.strictEqual((yield* resolveDataSource({}).pipe(withEnv({}))).dataDir, fallback)
      assert.strictEqual((yield* resolveDataSource({}).pipe(withEnv({ RECTIFIER_DATA_DIR: "", XDG_CACHE_HOME: "" }))).dataDir, fallback)
    }))

  it.effect("RECTIFIER_OFFLINE=1 is offline, unset is online, and an explicit offline wins over it", () =>
    Effect.gen(function*() {
      assert.isTrue((yield* resolveDataSource({}).pipe(withEnv({ RECTIFIER_OFFLINE: "1" }))).offline)
      assert.isFalse((yield* resolveDataSource({}).pipe(withEnv({}))).offline)
      assert.isFalse((yield* resolveDataSource({ offline: false }).pipe(withEnv({ RECTIFIER_OFFLINE: "1" }))).offline)
      assert.isTrue((yield* resolveDataSource({ offline: true }).pipe(withEnv({ RECTIFIER_OFFLINE: "0" }))).offline)
    }))

  it.effect("a RECTIFIER_OFFLINE that is no boolean is a typed error naming it; an explicit offline does not read it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(resolveDataSource({}).pipe(withEnv({ RECTIFIER_OFFLINE: "maybe" })))
      assert.strictEqual(error._tag, "DataSourceConfigInvalid")
      assert.include(error.message, "RECTIFIER_OFFLINE")
      assert.notInclude(error.message, "\n")
      const source = yield* resolveDataSource({ dataDir: "/d", offline: false }).pipe(withEnv({ RECTIFIER_OFFLINE: "maybe" }))
      assert.deepStrictEqual(source, { dataDir: "/d", offline: false })
    }))
})
