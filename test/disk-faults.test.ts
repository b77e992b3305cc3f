/**
 * Real disk faults through the CLI: a read-only file system (EROFS) and a
 * full one (ENOSPC), each a tmpfs mounted for the test. The messages must
 * name the errno code, not Effect's "Unknown", and no record may be left.
 * Mounting needs root with CAP_SYS_ADMIN (as here and in CI); elsewhere the
 * tests are skipped, and test/durability.test.ts still covers ENOSPC.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { cli, runFolders, temporaryFolder } from "./helpers.ts"

const mounted: Array<string> = []
const mountTmpfs = (options: string): string | undefined => {
  const folder = temporaryFolder("tmpfs")
  const result = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", folder], { encoding: "utf8" })
  if (result.status !== 0) return undefined
  mounted.push(folder)
  return folder
}
afterAll(() => {
  for (const folder of mounted) spawnSync("umount", [folder])
})

const probe = mountTmpfs("size=64k")
const tiny = [
  "pipeline", "mnist-relu", "--epochs", "1", "--train-size", "100", "--eval-size", "100", "--hidden", "16",
  "--backend", "wasm"
]

describe.skipIf(probe === undefined)("disk faults (CLI, real tmpfs mounts)", () => {
  it("a read-only --out says EROFS, naming the folder", () => {
    const readOnly = mountTmpfs("ro,size=64k")!
    const run = cli([...tiny, "--out", readOnly])
    assert.notStrictEqual(run.status, 0)
    assert.include(run.stdout + run.stderr, "EROFS: read-only file system")
    assert.include(run.stdout + run.stderr, `cannot create the run folder ${readOnly}/mnist-relu`)
    assert.notInclude(run.stdout + run.stderr, "Unknown")
  })

  it("a disk that fills up during the run says ENOSPC, naming the checkpoint, and leaves no record", () => {
    // 96 KiB: config.json fits, the first checkpoint's weights (784x16 floats, 50 KB each) do not.
    const full = mountTmpfs("size=96k")!
    const out = join(full, "runs")
    mkdirSync(out)
    const run = cli([...tiny, "--out", out])
    assert.notStrictEqual(run.status, 0)
    const text = run.stdout + run.stderr
    assert.include(text, "ENOSPC: no space left on device")
    assert.include(text, "cannot write the checkpoint into")
    assert.notInclude(text, "Unknown")
    const folders = runFolders(out, "mnist-relu")
    assert.strictEqual(folders.length, 1)
    assert.isFalse(existsSync(join(folders[0]!, "results.json")))
  })
})
