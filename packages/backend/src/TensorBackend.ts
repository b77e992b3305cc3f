/**
 * The tensor backend as a scoped resource.
 *
 * Acquiring the layer loads the requested backend (or the fastest that loads,
 * for `auto`), makes it the engine's active backend and opens an engine scope.
 * Releasing it disposes every tensor and variable the pipeline left behind,
 * logs how many there were, and restores the backend that was active before.
 * While it is held, the service says what the backend can do (Capabilities.ts).
 * `$RECTIFIER_NATIVE_ADDON` names another compiled addon for the native
 * backend; the option `sparse: "auto"` lets its products skip zeros (default off), `subnormals: "flush"`
 * flushes its subnormal floats to zero (default keep; no other backend can). `nativeFallbackNotice` is
 * the line to show when `auto` passed over native for a slower backend.
 */
import * as tf from "@tensorflow/tfjs-core"
import { Config, Context, Effect, Layer, Option } from "effect"
import { BackendUnavailable } from "./BackendError.ts"
import "./Gradients.ts"
import { autoOrder, type BackendChoice, type BackendName, type SparseChoice, type SubnormalChoice } from "./BackendName.ts"
import type { Capabilities } from "./Capabilities.ts"
import { hints, type LoadedBackend, type LoaderOptions, loaders } from "./Loaders.ts"

/** What `TensorBackend.layer` loads: which backend, its threads, native's sparse products and subnormals. */
export interface BackendOptions {
  readonly backend: BackendChoice
  /** Threads for multi-threaded backends; defaults to 1 (bit-reproducible everywhere). */
  readonly threads?: number
  /** Whether native's products skip the zeros of sparse operands (BackendName.ts); defaults to off. */
  readonly sparse?: SparseChoice
  /** Whether native's kernels flush subnormal floats to zero (BackendName.ts); defaults to keep. */
  readonly subnormals?: SubnormalChoice
}

/** What a run record says about the backend it ran on. */
export interface BackendInfo {
  readonly name: BackendName
  readonly requested: BackendChoice
  readonly threads: number
  readonly tfjsCore: string
  readonly details: Readonly<Record<string, string | number | boolean>>
  /** Backends `auto` tried before this one, with why each was passed over. */
  readonly skipped: ReadonlyArray<{ readonly name: BackendName; readonly reason: string }>
}

/**
 * The active tfjs backend while the layer is held: what a run record says
 * about it, what it can do beyond tfjs's kernels, and the engine's memory.
 */
export class TensorBackend extends Context.Service<TensorBackend, {
  readonly info: BackendInfo
  /** What the backend offers beyond tfjs's kernels; algorithms ask this, never the engine. */
  readonly capabilities: Capabilities
  /** The engine's live tensor count and bytes, for leak checks. */
  readonly memory: () => { readonly numTensors: number; readonly numBytes: number }
}>()("@rectifier/backend/TensorBackend") {
  /**
   * A scoped layer: loads the backend `options.backend` names (for `auto`, the first of
   * tensorflow, native, wasm, cpu that loads), makes it active and opens an
   * engine scope; on release it disposes what was left behind and restores the
   * previous backend. Fails with `BackendUnavailable` saying why and how to fix it.
   */
  static readonly layer = (options: BackendOptions): Layer.Layer<TensorBackend, BackendUnavailable> =>
    Layer.effect(TensorBackend, acquire(options))
}

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "unknown error"

/** Loads one backend and makes it active, or fails saying why. */
const activate = (name: BackendName, options: LoaderOptions): Effect.Effect<LoadedBackend, BackendUnavailable> =>
  Effect.tryPromise({
    try: async () => {
      // tfjs's PROD flag only silences its console notices, the "install our node backend" banner among
      // them: advice a user cannot act on here (the record says which backend ran and why).
      tf.env().set("PROD", true)
      const loaded = await loaders[name](options)
      const ok = await tf.setBackend(loaded.engineName)
      if (!ok) throw new Error(`the engine refused to initialise "${loaded.engineName}"`)
      await tf.ready()
      return loaded
    },
    catch: (error) => new BackendUnavailable({ backend: name, reason: firstLine(error), hint: hints[name] })
  })

const flushNeedsNative = "subnormals: flush needs the native backend (the only one that sets the CPU's float mode)"
const flushHint = "run on --backend native (or auto with the native addon built), or keep subnormals"

/** Tries each candidate in order; the first that activates wins; with `subnormals: "flush"` only native can. */
const select = Effect.fnUntraced(function*(options: BackendOptions) {
  const threads = options.threads ?? 1
  const nativeAddon = Option.getOrUndefined(yield* Effect.orDie(Config.option(Config.String("RECTIFIER_NATIVE_ADDON"))))
  const sparse = options.sparse ?? "off"
  const subnormals = options.subnormals ?? "keep"
  const candidates = options.backend === "auto" ? autoOrder : [options.backend]
  const skipped: Array<{ name: BackendName; reason: string }> = []
  for (const name of candidates) {
    const attempt = yield* Effect.result(
      subnormals === "flush" && name !== "native"
        ? Effect.fail(new BackendUnavailable({ backend: name, reason: flushNeedsNative, hint: flushHint }))
        : activate(name, { threads, nativeAddon, sparse, subnormals })
    )
    if (attempt._tag === "Success") {
      const info: BackendInfo = {
        name,
        requested: options.backend,
        threads,
        tfjsCore: tf.version_core,
        details: attempt.success.details,
        skipped
      }
      return { info, capabilities: attempt.success.capabilities }
    }
    if (options.backend !== "auto") return yield* attempt.failure
    skipped.push({ name, reason: attempt.failure.reason })
  }
  return yield* new BackendUnavailable({ backend: "auto", reason: "no tensor backend could be loaded" })
})

/**
 * The one line to show when `auto` passed over the native backend and runs
 * on a slower one: why native did not load (with its fix) and what that costs.
 */
export const nativeFallbackNotice = (info: BackendInfo): string | undefined => {
  const native = info.skipped.find((skipped) => skipped.name === "native")
  if (info.requested !== "auto" || native === undefined || (info.name !== "wasm" && info.name !== "cpu")) return undefined
  const cost = info.name === "wasm" ? "5-7x slower (packages/bench/README.md)" : "far slower"
  return `native backend unavailable: ${native.reason}; running on ${info.name} instead, ${cost}`
}

/** What `options` select on this machine: the backend is loaded, its info read, and released again. */
export const probeBackend = (options: BackendOptions): Effect.Effect<BackendInfo, BackendUnavailable> =>
  Effect.scoped(Layer.build(TensorBackend.layer(options))).pipe(Effect.map((context) => Context.get(context, TensorBackend).info))

const acquire = (options: BackendOptions) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const engine = tf.engine()
      const previous: string | undefined = engine.backendName
      const variablesBefore = new Set(Object.keys(engine.registeredVariables))
      const { capabilities, info } = yield* select(options)
      const tensorsBefore = tf.memory().numTensors
      engine.startScope("@rectifier/backend")
      yield* Effect.logDebug(`tensor backend: ${info.name}`)
      return { info, capabilities, previous, variablesBefore, tensorsBefore }
    }),
    ({ previous, tensorsBefore, variablesBefore }) =>
      Effect.gen(function*() {
        const engine = tf.engine()
        const left = tf.memory()
        const leaked = left.numTensors - tensorsBefore
        for (const [name, variable] of Object.entries(engine.registeredVariables)) {
          if (!variablesBefore.has(name)) variable.dispose()
        }
        engine.endScope()
        if (leaked > 0) {
          yield* Effect.logWarning(
            `${leaked} tensor(s) were still alive when the backend was released; they have been disposed`
          )
        }
        if (previous !== undefined && previous !== engine.backendName) {
          yield* Effect.promise(() => tf.setBackend(previous))
        }
      })
  ).pipe(
    Effect.map(({ capabilities, info }) =>
      TensorBackend.of({
        info,
        capabilities,
        memory: () => {
          const { numBytes, numTensors } = tf.memory()
          return { numTensors, numBytes }
        }
      })
    )
  )
