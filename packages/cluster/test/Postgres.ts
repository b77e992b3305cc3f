/**
 * A real PostgreSQL server for the tests: Debian's PostgreSQL (15 on Debian 12), `initdb` in
 * a temporary folder owned by `nobody` (the server refuses to run as root),
 * listening on 127.0.0.1 at a free port, trust authentication on loopback
 * only; `stop`/`start` restart it on the same data (the restart test), and
 * `remove` stops it and deletes the folder.
 */
import { execFileSync } from "node:child_process"
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** The newest server Debian's `postgresql` package installed (15 on Debian 12). */
const bin = (() => {
  const versions = readdirSync("/usr/lib/postgresql").map(Number).filter(Number.isFinite).sort((a, b) => b - a)
  if (versions.length === 0) throw new Error("no PostgreSQL server under /usr/lib/postgresql: install Debian's postgresql")
  return `/usr/lib/postgresql/${versions[0]}/bin`
})()

export interface Postgres {
  readonly url: string
  readonly port: number
  readonly start: () => void
  readonly stop: () => void
  readonly remove: () => void
}

/** A port nothing listens on now (the kernel's choice). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

/** Runs a PostgreSQL program as `nobody` when we are root (as everything here is), else as ourselves. */
const asServerUser = (program: string, args: ReadonlyArray<string>) => {
  const command = [join(bin, program), ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ")
  if (process.getuid?.() === 0) execFileSync("su", ["-s", "/bin/sh", "nobody", "-c", command], { stdio: "pipe" })
  else execFileSync("/bin/sh", ["-c", command], { stdio: "pipe" })
}

export const psql = join(bin, "psql")

export const startPostgres = async (): Promise<Postgres> => {
  const root = mkdtempSync(join(tmpdir(), "rectifier-pg-"))
  chmodSync(root, 0o777)
  const data = join(root, "data")
  const port = await freePort()
  asServerUser("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])
  const start = () =>
    asServerUser("pg_ctl", [
      "-D", data, "-l", join(root, "server.log"), "-w", "-t", "30",
      "-o", `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${root} -c fsync=off`,
      "start"
    ])
  const stop = () => asServerUser("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
  start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    remove: () => {
      try {
        stop()
      } catch {
        // already stopped
      }
      rmSync(root, { recursive: true, force: true })
    }
  }
}
