/**
 * The cluster's PostgreSQL connection: a `postgres://user@host:port/db` URL
 * given on the command line (it shows in `ps`, so it must not carry a
 * password) and the password from the environment (`PGPASSWORD`, read
 * through Effect `Config`) or none (trust or peer authentication).
 */
import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, Option, Redacted, Schema } from "effect"

export class DatabaseUrlInvalid extends Schema.TaggedError<DatabaseUrlInvalid>()("DatabaseUrlInvalid", {
  flag: Schema.String,
  url: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.flag} ${this.url}: ${this.reason}`
  }
}

/** The URL, checked: a postgres:// or postgresql:// URL with no password in it. */
export const checkDatabaseUrl = (flag: string, text: string) =>
  Effect.gen(function*() {
    const url = URL.canParse(text) ? new URL(text) : undefined
    if (url === undefined || (url.protocol !== "postgres:" && url.protocol !== "postgresql:")) {
      return yield* new DatabaseUrlInvalid({ flag, url: text, reason: "expected a URL postgres://user@host:port/database" })
    }
    if (url.password !== "") {
      return yield* new DatabaseUrlInvalid({
        flag,
        url: text.replace(`:${url.password}@`, ":***@"),
        reason: "a password in a flag shows in `ps`; give the URL without it and the password in the PGPASSWORD environment variable"
      })
    }
    return url
  })

/** The SQL client layer for `url` (already checked), the password from `PGPASSWORD` if set. */
export const databaseLayer = (url: URL) =>
  Layer.unwrap(Effect.gen(function*() {
    const password = yield* Config.option(Config.Redacted("PGPASSWORD"))
    return PgClient.layer({
      url: Redacted.make(url.href),
      ...(Option.isSome(password) ? { password: password.value } : {}),
      applicationName: "rectifier-cluster"
    })
  }))
