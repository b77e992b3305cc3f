/**
 * The names a user may give for the tensor backend, the order in which
 * `auto` tries them (the fastest that loads wins), and the choices for the
 * native backend's sparsity-aware products and subnormal floats.
 */
import { Schema } from "effect"

/** `tensorflow` is tfjs-node (or tfjs-node-gpu when a CUDA GPU is usable); `native` is our OpenBLAS backend. */
export const BackendName = Schema.Literals(["tensorflow", "native", "wasm", "cpu"])
export type BackendName = typeof BackendName.Type

/** The backend a user asks for: one by name, or `auto`, the first of `autoOrder` that loads. */
export const BackendChoice = Schema.Literals(["auto", ...BackendName.literals])
/** A backend name or `auto`. */
export type BackendChoice = typeof BackendChoice.Type

/** Preference order for `auto`. */
export const autoOrder: ReadonlyArray<BackendName> = ["tensorflow", "native", "wasm", "cpu"]

/**
 * The backend option `sparse`: `auto` lets the native backend's products skip the zeros of operands
 * sparse enough to gain from it; `off` (the default) keeps every product on sgemm, as the golden records
 * were made. A run sets it through its configuration's `sparseProducts`, so it is part of the run's identity.
 */
export const SparseChoice = Schema.Literals(["auto", "off"])
export type SparseChoice = typeof SparseChoice.Type

/**
 * The backend option `subnormals`: `flush` runs the native backend's kernels with the CPU's
 * flush-to-zero and denormals-are-zero modes (subnormal floats become 0: far faster once a fitted
 * net's gradients underflow, different in the last bits); `keep` (the default) keeps IEEE
 * subnormals, as the golden records were made. Only native can flush, at one thread. A run sets it
 * through its configuration's `subnormals`, so it is part of the run's identity.
 */
export const SubnormalChoice = Schema.Literals(["keep", "flush"])
export type SubnormalChoice = typeof SubnormalChoice.Type
