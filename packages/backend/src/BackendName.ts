/**
 * The names a user may give for the tensor backend, and the order in which
 * `auto` tries them: the fastest that loads wins.
 */
import { Schema } from "effect"

/** `tensorflow` is tfjs-node (or tfjs-node-gpu when a CUDA GPU is usable); `native` is our OpenBLAS backend. */
export const BackendName = Schema.Literals(["tensorflow", "native", "wasm", "cpu"])
export type BackendName = typeof BackendName.Type

export const BackendChoice = Schema.Literals(["auto", ...BackendName.literals])
export type BackendChoice = typeof BackendChoice.Type

/** Preference order for `auto`. */
export const autoOrder: ReadonlyArray<BackendName> = ["tensorflow", "native", "wasm", "cpu"]
