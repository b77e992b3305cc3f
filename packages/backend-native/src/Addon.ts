/**
 * Loading the compiled OpenBLAS addon. The addon is optional: when it was not
 * built (no OpenBLAS at install time, a compile error) `loadAddon` says why in
 * one line, the reason the install script recorded in build/not-built.txt,
 * with the command that fixes it.
 */
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/** The functions the addon exports; every array argument is written or read in place. */
export interface Addon {
  readonly setThreads: (threads: number) => void
  readonly getThreads: () => number
  readonly config: () => string
  /**
   * Whether every kernel after this runs with the CPU's flush-to-zero and denormals-are-zero modes
   * (subnormal results and operands become 0); throws on CPUs other than x86. Process-wide.
   */
  readonly setSubnormals: (flush: boolean) => void
  /**
   * C[i] = alpha op(A[i]) op(B[i]) + beta C[i] for i < batch; a stride of 0
   * broadcasts that operand. With beta 0 the old contents of C are not read.
   */
  readonly gemm: (
    transposeA: boolean,
    transposeB: boolean,
    batch: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    strideA: number,
    b: Float32Array,
    strideB: number,
    beta: number,
    c: Float32Array
  ) => void
  /**
   * C = alpha op(A) op(B) + beta C (one row-major product, as `gemm`) skipping the exact zeros of A,
   * when the fraction of A's elements that are nonzero is at most maxDensity; otherwise C is left
   * alone. Returns that fraction (0 for an empty A), so the caller knows whether to run `gemm`.
   */
  readonly sparseGemm: (
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    b: Float32Array,
    beta: number,
    c: Float32Array,
    maxDensity: number
  ) => number
  /**
   * c = (a bᵀ) * step(x) for a (m x k), b (n x k), x and c (m x n), computing only the entries where
   * x > 0 (0 where x <= 0, NaN where x is NaN), when the fraction of x > 0 is at most maxDensity;
   * otherwise c is left alone. Returns that fraction (0 for an empty x).
   */
  readonly maskedGemmNT: (
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    x: Float32Array,
    c: Float32Array,
    maxDensity: number
  ) => number
  /** The fraction of x's elements that are not zero (NaN counts); 0 for an empty x. */
  readonly density: (x: Float32Array) => number
  /** y += alpha * x. */
  readonly axpy: (alpha: number, x: Float32Array, y: Float32Array) => void
  /**
   * out[i] = p[i] > u_i ? 1 : 0 for the uniforms u_i of the xoroshiro128+ stream whose state is
   * `state` ([s0 high, s0 low, s1 high, s1 low], advanced in place): bit for bit the draws and
   * comparisons of `RandomStream.fillUniform(out, 0, 1)` then `+(p[i] > out[i])`.
   */
  readonly bernoulli: (state: Int32Array, p: Float32Array, out: Float32Array) => void
  /** out[i] = row[i % row.length]: a bias row repeated down a product's rows. */
  readonly fillRows: (row: Float32Array, out: Float32Array) => void
  /**
   * The SGD update in place, as tfjs's functional update rounds it: g' = g + decay w
   * (decay > 0); then v = momentum v - rate g', w = w + v when v is non-empty, else w = w - rate g'.
   */
  readonly sgdStep: (
    w: Float32Array,
    g: Float32Array,
    v: Float32Array,
    rate: number,
    momentum: number,
    decay: number
  ) => void
  readonly binary: (
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    shape: Int32Array,
    stridesA: Int32Array,
    stridesB: Int32Array
  ) => void
  readonly unary: (op: number, x: Float32Array, out: Float32Array, alpha: number) => void
  readonly eluGrad: (dy: Float32Array, y: Float32Array, out: Float32Array) => void
  /** out = y * step(x) (step: 1 for x > 0, 0 elsewhere, NaN for NaN), in one pass. */
  readonly stepProduct: (y: Float32Array, x: Float32Array, out: Float32Array) => void
  readonly activateInPlace: (op: number, x: Float32Array, alpha: number) => void
  /** x as [outer, size, inner] reduced over the middle axis: op 0 sums, op 1 takes the max. */
  readonly reduce: (op: number, x: Float32Array, out: Float32Array, outer: number, size: number, inner: number) => void
  /** A `Comparison` of float32 operands with broadcasting (the layout of `binary`), 0/1 bytes out. */
  readonly compare: (
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Uint8Array,
    shape: Int32Array,
    stridesA: Int32Array,
    stridesB: Int32Array
  ) => void
  /** A `Logical` op on boolean bytes with broadcasting (the layout of `binary`). */
  readonly logical: (
    op: number,
    a: Uint8Array,
    b: Uint8Array,
    out: Uint8Array,
    shape: Int32Array,
    stridesA: Int32Array,
    stridesB: Int32Array
  ) => void
  /** out[i] = condition[i] === 1 ? t[i] : e[i]; all four of one length. */
  readonly select: (condition: Uint8Array, t: Float32Array, e: Float32Array, out: Float32Array) => void
  /** `rows` runs of `length` elements from src (every srcStride, from srcOffset) to dst (every dstStride, from dstOffset). */
  readonly copyRows: (
    src: Float32Array,
    srcOffset: number,
    srcStride: number,
    dst: Float32Array,
    dstOffset: number,
    dstStride: number,
    rows: number,
    length: number
  ) => void
  /** out = x clipped to [low, high] (NaN passes through), as tfjs's ClipByValue. */
  readonly clip: (x: Float32Array, out: Float32Array, low: number, high: number) => void
}

/** Operation codes shared with addon/native.cc. */
export const BinaryOp = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  squaredDifference: 6,
  prelu: 7
} as const
export const Comparison = { greater: 0, greaterEqual: 1, less: 2, lessEqual: 3, equal: 4, notEqual: 5 } as const
export const LogicalOp = { and: 0, or: 1 } as const
export const UnaryOp = {
  relu: 0,
  relu6: 1,
  sigmoid: 2,
  tanh: 3,
  softplus: 4,
  exp: 5,
  log: 6,
  neg: 7,
  square: 8,
  step: 9,
  elu: 10,
  leakyrelu: 11,
  abs: 12,
  sqrt: 13,
  log1p: 14,
  reciprocal: 15,
  sign: 16,
  expm1: 17,
  erf: 18
} as const

/** How to get the addon built: the OpenBLAS package per platform and the rebuild command; error messages end with it. */
export const installHint = "install OpenBLAS (Debian/Ubuntu: apt-get install libopenblas-dev; " +
  "Fedora: dnf install openblas-devel; macOS: brew install openblas) and run pnpm rebuild @rectifier/backend-native " +
  "(in the rectifier repository: pnpm install)"

/** Where the install script puts the addon. */
export const defaultAddonPath = join(dirname(fileURLToPath(import.meta.url)), "..", "build", "Release", "rectifier_native.node")

const loaded = new Map<string, Addon>()

/** Whether the addon was built on this machine (it may still fail to load). */
export const addonBuilt = (): boolean => existsSync(defaultAddonPath)

/** The first line of build/not-built.txt beside the addon's folder: why the install script did not build it. */
const notBuiltReason = (addonPath: string): string | undefined => {
  try {
    return readFileSync(join(dirname(addonPath), "..", "not-built.txt"), "utf8").split("\n")[0]?.trim() || undefined
  } catch {
    return undefined
  }
}

/** The addon at `path`, or an Error whose message says why it cannot be used and how to fix that. */
export const loadAddon = (path: string = defaultAddonPath): Addon => {
  const cached = loaded.get(path)
  if (cached !== undefined) return cached
  if (!existsSync(path)) {
    const reason = notBuiltReason(path)
    // The install script's reason names its own fix.
    throw new Error(reason === undefined
      ? `the OpenBLAS addon is not built (${path} is missing); ${installHint}`
      : `the OpenBLAS addon was not built at install: ${reason}`)
  }
  try {
    const addon = createRequire(import.meta.url)(path) as Addon
    loaded.set(path, addon)
    return addon
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error)
    throw new Error(`the OpenBLAS addon ${path} failed to load (${reason}); ${installHint}`)
  }
}
