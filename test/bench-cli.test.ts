/**
 * `pnpm run bench` as a user runs it, through the app: --help lists each
 * subcommand's flags with their defaults, and a bad flag exits 2 (a usage
 * error, apps/cli/src/ExitCode.ts) with a message naming it, measuring nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { cli, temporaryFolder } from "./helpers.ts"

describe("pnpm run bench (CLI)", () => {
  it("--help lists the flags of train and of activations", () => {
    const train = cli(["bench", "train", "--help"])
    assert.strictEqual(train.status, 0, train.stderr)
    for (const flag of ["--backends", "--batches", "--steps", "--warmup", "--rounds", "--threads", "--seed", "--learning-rate, --lr", "--no-torch", "--out"]) {
      assert.include(train.stdout, flag)
    }
    assert.include(train.stdout, "[default: 10,100,500]")
    const activations = cli(["bench", "activations", "--help"])
    assert.strictEqual(activations.status, 0, activations.stderr)
    assert.include(activations.stdout, "[default: native,wasm,cpu]")
    assert.notInclude(activations.stdout, "--learning-rate")
  })

  it("a bad flag exits 2 naming it, before anything is measured", () => {
    const out = join(temporaryFolder("bench-bad"), "never.json")
    const hex = cli(["bench", "train", "--batches", "10,0x20", "--out", out])
    assert.strictEqual(hex.status, 2)
    assert.include(hex.stdout + hex.stderr, "--batches")
    assert.include(hex.stdout + hex.stderr, "\"0x20\" is not a positive decimal integer")
    const unknown = cli(["bench", "activations", "--steps", "5", "--out", out])
    assert.strictEqual(unknown.status, 2)
    assert.include(unknown.stdout + unknown.stderr, "--steps")
    assert.isFalse(existsSync(out))
  })
})
