/**
 * `bench products`: the native backend's sparsity-aware products against
 * OpenBLAS sgemm on the training step's shapes (minibatch x 1000 by 1000 x
 * 1000), one density of the sparse operand at a time, in the same process and
 * interleaved, so that both see the same load. Three products: the forward
 * product (rows of the input sparse), the weight gradient xᵀδ, and the
 * rectifier's input gradient ((δ Wᵀ) * step(z), sgemm then the one-pass
 * mask on the dense side, computed only where the mask keeps it on the
 * sparse side; δ and the mask share the density). The crossover density is
 * where `auto` switches (backend-native's Sparse.ts).
 */
import type { NativeBlas } from "@rectifier/backend-native"
import { RandomStream } from "@rectifier/core"
import type { ProductOptions } from "./Options.ts"

export interface ProductTiming {
  readonly batch: number
  readonly density: number
  readonly product: "forward" | "weight gradient" | "input gradient"
  /** Milliseconds per call, the median over the measurements. */
  readonly denseMs: number
  readonly sparseMs: number
}

const width = 1000

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Milliseconds per call of `dense` and of `sparse`, each timed `reps` calls at a time, alternating five times. */
const race = (reps: number, dense: () => void, sparse: () => void) => {
  dense()
  sparse()
  const times: [Array<number>, Array<number>] = [[], []]
  for (let round = 0; round < 5; round++) {
    ;[dense, sparse].forEach((run, i) => {
      const start = performance.now()
      for (let r = 0; r < reps; r++) run()
      times[i]!.push((performance.now() - start) / reps)
    })
  }
  return { denseMs: median(times[0]), sparseMs: median(times[1]) }
}

export const measureProducts = (options: ProductOptions, blas: NativeBlas): Array<ProductTiming> => {
  const stream = RandomStream.derive(1, "bench/products")
  const values = (size: number, density: number) =>
    Float32Array.from({ length: size }, () => (stream.uniform() < density ? stream.uniform() : 0))
  const weights = values(width * width, 1)
  const timings: Array<ProductTiming> = []
  for (const batch of options.batches) {
    for (const density of options.densities) {
      const x = values(batch * width, density)
      const delta = values(batch * width, density)
      // The mask's pre-activations: positive where kept, negative elsewhere.
      const z = values(batch * width, density).map((v) => (v > 0 ? v : -1))
      const out = new Float32Array(batch * width)
      const product = new Float32Array(width * width)
      const all = Number.POSITIVE_INFINITY
      const forward = race(
        options.reps,
        () => blas.gemm(false, false, batch, width, width, x, weights, out),
        () => blas.sparseGemm(false, false, batch, width, width, 1, x, weights, 0, out, all)
      )
      const gradient = race(
        options.reps,
        () => blas.gemm(true, false, width, width, batch, x, delta, product),
        () => blas.sparseGemm(true, false, width, width, batch, 1, x, delta, 0, product, all)
      )
      const input = race(
        options.reps,
        () => {
          blas.gemm(false, true, batch, width, width, delta, weights, out)
          blas.stepProduct(out, z, out)
        },
        () => blas.maskedGemmNT(batch, width, width, delta, weights, z, out, all)
      )
      timings.push(
        { batch, density, product: "forward", ...forward },
        { batch, density, product: "weight gradient", ...gradient },
        { batch, density, product: "input gradient", ...input }
      )
    }
  }
  return timings
}
