/**
 * `verify` on the native backend: a tiny native run reproduces to the bit on
 * the machine that ran it, and a record that names another OpenBLAS kernel
 * set than this machine picks is told how to pin it (OPENBLAS_CORETYPE):
 * native products round differently across kernel sets (docs/DETERMINISM.md).
 */
import { assert, describe, it } from "@effect/vitest"
import { blasKernelOf, type RunRecord } from "@rectifier/record"
import { cpSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { cli, temporaryFolder } from "./helpers.ts"

const tiny = [
  "--epochs", "1", "--train-size", "200", "--eval-size", "100", "--hidden", "16", "--batch-size", "10",
  "--backend", "native", "--seed", "4"
]

describe("verify (CLI, native backend)", () => {
  it("reproduces a native run, and names the kernel set to pin when the record ran on another", () => {
    const out = temporaryFolder("verify-native")
    const run = cli(["pipeline", "mnist-relu", ...tiny, "--out", out])
    assert.strictEqual(run.status, 0, run.stderr)
    const folder = run.lastLine
    const record = JSON.parse(readFileSync(join(folder, "results.json"), "utf8")) as RunRecord
    const here = blasKernelOf(record)
    assert.isDefined(here, `no kernel set in ${String(record.environment.backend.details["blas"])}`)

    const same = cli(["verify", folder])
    assert.strictEqual(same.status, 0, same.stdout + same.stderr)
    assert.include(same.stdout, "identical")

    // The same record as if computed on another kernel set, whose last bits differ.
    const elsewhere = join(temporaryFolder("verify-other-kernel"), "run")
    cpSync(folder, elsewhere, { recursive: true })
    const other = here === "SkylakeX" ? "Cooperlake" : "SkylakeX"
    const moved = JSON.parse(readFileSync(join(folder, "results.json"), "utf8"))
    moved.environment.backend.details.blas = String(record.environment.backend.details["blas"]).replace(here!, other)
    moved.epochs[0].trainLoss += 1e-7
    writeFileSync(join(elsewhere, "results.json"), JSON.stringify(moved))
    const caught = cli(["verify", elsewhere])
    assert.notStrictEqual(caught.status, 0)
    const said = caught.stdout + caught.stderr
    assert.include(said, "NOT identical: 1 field(s) differ")
    assert.include(said, `ran on OpenBLAS's ${other} kernels and this machine picked ${here}`)
    assert.include(said, `OPENBLAS_CORETYPE=${other}`)
  }, 120_000)
})
