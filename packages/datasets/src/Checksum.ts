/** Checksums of dataset files, compared against the official values. */
import { createHash } from "node:crypto"
import { Effect } from "effect"
import { ChecksumMismatch } from "./DatasetError.ts"

/** The md5 digest of `bytes`, as 32 lowercase hex digits (the form official checksums are published in). */
export const md5 = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("hex")

/** Fails with `ChecksumMismatch` unless `bytes` hash to `expected`. */
export const verifyMd5 = (file: string, bytes: Uint8Array, expected: string): Effect.Effect<void, ChecksumMismatch> => {
  const actual = md5(bytes)
  return actual === expected
    ? Effect.void
    : Effect.fail(new ChecksumMismatch({ file, algorithm: "md5", expected, actual }))
}
