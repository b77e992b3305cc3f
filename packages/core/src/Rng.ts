/**
 * The run's single source of randomness.
 *
 * Every stage that needs random numbers (weight initialisation, shuffling,
 * masking noise, sampling) asks the `Rng` service for a named stream. Each
 * stream is an independent xoroshiro128+ generator derived from the run seed
 * and the stream's name, so adding a consumer never shifts another stage's
 * numbers, and a stream's state can be saved and restored for resumable runs.
 */
import { Context, Effect, Layer, Schema } from "effect"
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64"
import { uniformInt } from "pure-rand/distribution/uniformInt"
import { xoroshiro128plus, xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus"
import type { JumpableRandomGenerator } from "pure-rand/types/JumpableRandomGenerator"

/** A run seed: a non-negative 32-bit integer. */
export const Seed = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 0xffff_ffff }))

/** The serialisable state of one stream. */
export const StreamState = Schema.Array(Schema.Number)
export type StreamState = typeof StreamState.Type

/** FNV-1a over the UTF-16 code units of a string, as an unsigned 32-bit hash. */
const hashName = (name: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** A mutable, seeded generator with the draws the toolkit needs. */
export class RandomStream {
  private generator: JumpableRandomGenerator

  constructor(generator: JumpableRandomGenerator) {
    this.generator = generator
  }

  /** A stream for `name`, fully determined by `seed` and `name`. */
  static derive(seed: number, name: string): RandomStream {
    const generator = xoroshiro128plus((seed ^ hashName(name)) >>> 0)
    // Leave the low-entropy start of the sequence behind.
    generator.jump()
    return new RandomStream(generator)
  }

  /** A stream that continues from `state` (what `state()` returned): a resumed run draws what the saved stream would have drawn next. */
  static fromState(state: StreamState): RandomStream {
    return new RandomStream(xoroshiro128plusFromState(state))
  }

  /** The generator's current state as plain numbers, a copy to save in a checkpoint (`fromState` resumes from it). */
  state(): StreamState {
    return this.generator.getState()
  }

  /** Uniform in [0, 1), 53 bits of precision. */
  uniform(): number {
    return uniformFloat64(this.generator)
  }

  /** Uniform integer in [min, max], both inclusive, without modulo bias. */
  integer(min: number, max: number): number {
    return uniformInt(this.generator, min, max)
  }

  /** Standard normal draw (Box-Muller; one pair of uniforms per draw). */
  normal(): number {
    const u1 = 1 - this.uniform()
    const u2 = this.uniform()
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
  }

  /** Fills `out` with uniform draws in [low, high). */
  fillUniform(out: Float32Array, low: number, high: number): Float32Array {
    const width = high - low
    for (let i = 0; i < out.length; i++) out[i] = low + width * this.uniform()
    return out
  }

  /**
   * Hands the generator's state to `draw` as int32 words [s0 high, s0 low, s1 high, s1 low]
   * (xoroshiro128+'s two 64-bit words, as `state()` lists them) for a kernel that draws in bulk
   * and advances them in place (the native backend's `bernoulli`); the stream goes on from there.
   */
  advanceWith(draw: (state: Int32Array) => void): void {
    const state = Int32Array.from(this.generator.getState())
    draw(state)
    this.generator = xoroshiro128plusFromState(Array.from(state))
  }

  /** Fills `out` with normal draws of the given mean and standard deviation. */
  fillNormal(out: Float32Array, mean: number, std: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal()
    return out
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n)
    for (let i = 0; i < n; i++) order[i] = i
    for (let i = n - 1; i > 0; i--) {
      const j = this.integer(0, i)
      const t = order[i]!
      order[i] = order[j]!
      order[j] = t
    }
    return order
  }
}

/** The run's random source: the seed, and a stream per named purpose. */
export class Rng extends Context.Service<Rng, {
  readonly seed: number
  /** A fresh stream for `name`; the same name always starts at the same state. */
  readonly stream: (name: string) => RandomStream
}>()("@rectifier/core/Rng") {
  /** The service for run seed `seed`, each stream derived from the seed and its name; it requires nothing and cannot fail. */
  static readonly layer = (seed: number): Layer.Layer<Rng> =>
    Layer.succeed(Rng, Rng.of({ seed, stream: (name) => RandomStream.derive(seed, name) }))

  /** A stream of the current run's generator. */
  static readonly stream = (name: string): Effect.Effect<RandomStream, never, Rng> =>
    Rng.useSync((rng) => rng.stream(name))
}
