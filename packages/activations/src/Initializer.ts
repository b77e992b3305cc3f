/**
 * Weight initialisers. Weights are drawn on the JavaScript side from the run's
 * random stream, so the same seed gives the same weights on every backend.
 *
 * Fan values: `fanIn` is the number of inputs of the layer; `fanOut` the
 * number of pre-activations it produces, which for Maxout and gated layers is
 * units · fanInFactor (the caller passes that real width). Only glorot-uniform
 * reads fanOut; he-normal, lecun-normal and standard-uniform scale by fanIn alone, and
 * small-uniform by neither.
 */
import type { RandomStream } from "@rectifier/core"
import { Schema } from "effect"

/** The weight initialisers a configuration may name; `initializerFormula` says what each draws. */
export const InitializerName = Schema.Literals(["glorot-uniform", "he-normal", "small-uniform", "lecun-normal", "standard-uniform"])
/** One of the initialisers' names. */
export type InitializerName = typeof InitializerName.Type

/** Half-width of the small-uniform initialiser. */
export const SMALL_UNIFORM_LIMIT = 0.01

/** What each initialiser draws, for documentation and run records. */
export const initializerFormula: Readonly<Record<InitializerName, string>> = {
  "glorot-uniform": "U(-r, r), r = √(6 / (fanIn + fanOut)) (Glorot & Bengio 2010; the paper's uniform init)",
  "he-normal": "N(0, 2 / fanIn) (He, Zhang, Ren & Sun 2015)",
  "small-uniform": `U(-${SMALL_UNIFORM_LIMIT}, ${SMALL_UNIFORM_LIMIT})`,
  "lecun-normal": "N(0, 1 / fanIn) (LeCun et al. 1998; the SELU paper's choice)",
  "standard-uniform": "U(-r, r), r = 1 / √fanIn (the \"standard\" heuristic Glorot & Bengio 2010 compared against)"
}

/** A [fanIn, fanOut] weight matrix in row-major order. */
export const initializeWeights = (
  name: InitializerName,
  fanIn: number,
  fanOut: number,
  stream: RandomStream
): Float32Array => {
  const out = new Float32Array(fanIn * fanOut)
  switch (name) {
    case "glorot-uniform": {
      const limit = Math.sqrt(6 / (fanIn + fanOut))
      return stream.fillUniform(out, -limit, limit)
    }
    case "he-normal":
      return stream.fillNormal(out, 0, Math.sqrt(2 / fanIn))
    case "small-uniform":
      return stream.fillUniform(out, -SMALL_UNIFORM_LIMIT, SMALL_UNIFORM_LIMIT)
    case "lecun-normal":
      return stream.fillNormal(out, 0, Math.sqrt(1 / fanIn))
    case "standard-uniform": {
      const limit = 1 / Math.sqrt(fanIn)
      return stream.fillUniform(out, -limit, limit)
    }
  }
}
