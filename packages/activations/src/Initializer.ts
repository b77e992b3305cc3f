/**
 * Weight initialisers. Weights are drawn on the JavaScript side from the run's
 * random stream, so the same seed gives the same weights on every backend.
 */
import type { RandomStream } from "@rectifier/core"
import { Schema } from "effect"

export const InitializerName = Schema.Literals(["glorot-uniform"])
export type InitializerName = typeof InitializerName.Type

/** A [fanIn, fanOut] weight matrix in row-major order. */
export const initializeWeights = (
  name: InitializerName,
  fanIn: number,
  fanOut: number,
  stream: RandomStream
): Float32Array => {
  switch (name) {
    case "glorot-uniform": {
      // Glorot & Bengio (2010): U(-r, r) with r = sqrt(6 / (fanIn + fanOut)).
      const limit = Math.sqrt(6 / (fanIn + fanOut))
      return stream.fillUniform(new Float32Array(fanIn * fanOut), -limit, limit)
    }
  }
}
