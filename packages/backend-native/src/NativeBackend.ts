/**
 * The native backend's storage: the cpu backend's tensors (plain typed arrays
 * in its data map), plus recycling of output buffers.
 *
 * A buffer goes back to the pool only when the backend allocated it for a
 * kernel output and it can never have been seen outside: it was not read out
 * (`dataSync`/`data` return the stored array itself) and was not the input of
 * a kernel this package does not implement (the cpu backend's slice returns a
 * view into its input). Buffers that fail either test are left to the garbage
 * collector.
 *
 * It also holds deferred tensors (Deferred.ts): a recipe over other tensors
 * whose values are computed the first time anything reads them. A product
 * nobody reads (the gradient for the input batch) is never computed, and
 * kernels that know a recipe use it instead of the values. A recipe keeps its
 * operands referenced until it is disposed, so those kernels compute the same
 * thing whether or not someone has read the values first.
 *
 * Its single products go through `product`, which skips the zeros of the
 * first operand when sparse products are on and the operand is sparse enough
 * (Sparse.ts), and through sgemm otherwise.
 */
import * as tf from "@tensorflow/tfjs-core"
import type { DataId, TensorInfo } from "@tensorflow/tfjs-core"
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import { type Addon, UnaryOp } from "./Addon.ts"
import { BufferPool } from "./BufferPool.ts"
import { operandsOf, type ProductRecipe, type Recipe, type StepRecipe } from "./Deferred.ts"
import type { ProductCounts, SparseProducts } from "./Sparse.ts"

/** A deferred tensor: its recipe and, once something has read it, its values. */
interface Deferred {
  readonly recipe: Recipe
  values: Float32Array | undefined
}

/**
 * The backend registered as "native": the cpu backend's storage and kernels,
 * the training path's kernels replaced by ones over the OpenBLAS addon
 * (Register.ts), output buffers recycled through a pool, and deferred
 * products (see the module comment).
 * `loadNativeBackend` creates and registers it; the type is for code that
 * inspects it through `tf.backend()` (its product counts, deferred tensors).
 */
export class NativeBackend extends MathBackendCPU {
  readonly addon: Addon
  readonly pool: BufferPool
  /** Buffers allocated here for kernel outputs. */
  private readonly owned = new WeakSet<Float32Array>()
  /** Owned buffers that may be visible outside the backend; never recycled. */
  private readonly exposed = new WeakSet<Float32Array>()
  /** Deferred tensors by data id. */
  private readonly deferred = new Map<DataId, Deferred>()
  /** When products skip zeros; undefined: never (every product is sgemm). */
  sparse: SparseProducts | undefined = undefined
  /** How many single products took each path. */
  readonly productCounts: ProductCounts = { dense: 0, sparse: 0, masked: 0 }

  constructor(addon: Addon, poolBytes: number) {
    super()
    this.addon = addon
    this.pool = new BufferPool(poolBytes, 64)
  }

  /** The float32 values behind a tensor. Callers check the dtype first. */
  values(info: TensorInfo): Float32Array {
    return this.valuesOf(info.dataId)
  }

  /** True when the tensor is float32 and stored here as a Float32Array (asking does not compute a deferred tensor). */
  isFloat(info: TensorInfo): boolean {
    if (info.dtype !== "float32") return false
    return this.deferred.has(info.dataId) || this.data.get(info.dataId)?.values instanceof Float32Array
  }

  /** True when the tensor is bool and stored here as a Uint8Array of 0/1 bytes. */
  isBool(info: TensorInfo): boolean {
    return info.dtype === "bool" && this.data.get(info.dataId)?.values instanceof Uint8Array
  }

  /** The bytes behind a bool tensor. Callers check `isBool` first. */
  bools(info: TensorInfo): Uint8Array {
    return this.data.get(info.dataId).values as Uint8Array
  }

  /**
   * A new bool output tensor of `shape` over a fresh Uint8Array (how the cpu
   * backend stores bool) the kernel must fill. These are never pooled: the
   * pool holds only Float32Arrays of float32 outputs.
   */
  boolOutput(shape: ReadonlyArray<number>): { readonly info: TensorInfo; readonly values: Uint8Array } {
    let size = 1
    for (const d of shape) size *= d
    const values = new Uint8Array(size)
    return { info: this.makeTensorInfo(shape as Array<number>, "bool", values), values }
  }

  /** A new float32 output tensor of `shape` over a (possibly recycled) buffer the kernel must fill. */
  output(shape: ReadonlyArray<number>): { readonly info: TensorInfo; readonly values: Float32Array } {
    let size = 1
    for (const d of shape) size *= d
    const values = this.pool.acquire(size)
    this.owned.add(values)
    return { info: this.makeTensorInfo(shape as Array<number>, "float32", values), values }
  }

  /** A float32 tensor of `shape` standing for `recipe`, computed when first read. */
  defer(shape: ReadonlyArray<number>, recipe: Recipe): TensorInfo {
    const info = this.makeTensorInfo(shape as Array<number>, "float32", new Float32Array(0))
    for (const operand of operandsOf(recipe)) this.incRef(operand)
    const entry: Deferred = { recipe, values: undefined }
    let size = 1
    for (const d of shape) size *= d
    this.deferred.set(info.dataId, entry)
    Object.defineProperty(this.data.get(info.dataId), "values", {
      configurable: true,
      enumerable: true,
      get: () => {
        if (entry.values === undefined) {
          const values = this.pool.acquire(size)
          this.owned.add(values)
          this.compute(recipe, values)
          entry.values = values
        }
        return entry.values
      },
      set: (values: Float32Array) => {
        entry.values = values
      }
    })
    return info
  }

  /** The recipe of a deferred product, if `dataId` is one. */
  deferredProduct(dataId: DataId): ProductRecipe | undefined {
    const recipe = this.deferred.get(dataId)?.recipe
    return recipe?.kind === "product" ? recipe : undefined
  }

  /** The recipe of a deferred product nobody has read yet, if `dataId` is one. */
  pendingProduct(dataId: DataId): ProductRecipe | undefined {
    const entry = this.deferred.get(dataId)
    return entry?.recipe.kind === "product" && entry.values === undefined ? entry.recipe : undefined
  }

  /** The recipe of a deferred step, if `dataId` is one. */
  deferredStep(dataId: DataId): StepRecipe | undefined {
    const recipe = this.deferred.get(dataId)?.recipe
    return recipe?.kind === "step" ? recipe : undefined
  }

  /** The values of the tensor behind `dataId` (computing it, if deferred). */
  valuesOf(dataId: DataId): Float32Array {
    return this.data.get(dataId).values as Float32Array
  }

  /**
   * target = alpha op(a) op(b) + beta target, one row-major product (target is m x n; with beta 0
   * its old contents are not read): skipping a's zeros when sparse products are on, b is not
   * transposed and a is sparse enough, else sgemm. With b transposed the sparse product gathers
   * b's columns, 2-10x slower than sgemm at every density measured (`maskedProduct` covers the one
   * such product of the training step).
   */
  product(
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    b: Float32Array,
    beta: number,
    target: Float32Array
  ): void {
    const limit = this.sparse?.maxDensity
    if (limit !== undefined && !transposeB && this.addon.sparseGemm(transposeA, transposeB, m, n, k, alpha, a, b, beta, target, limit) <= limit) {
      this.productCounts.sparse++
      return
    }
    this.productCounts.dense++
    this.addon.gemm(transposeA, transposeB, 1, m, n, k, alpha, a, 0, b, 0, beta, target)
  }

  /** target = alpha op(a) op(b) + beta target for a deferred product (see `product`). */
  accumulateProduct(product: ProductRecipe, alpha: number, beta: number, target: Float32Array): void {
    const { k, m, n, transposeA, transposeB } = product
    this.product(transposeA, transposeB, m, n, k, alpha, this.valuesOf(product.a), this.valuesOf(product.b), beta, target)
  }

  /**
   * out = product * step(x) computed only where x > 0, for a product a bᵀ (how tfjs writes the
   * input gradient of a dense layer), when sparse products are on and few enough entries are kept;
   * false, with out untouched, when it declines (the caller then forms the product).
   */
  maskedProduct(product: ProductRecipe, x: Float32Array, out: Float32Array): boolean {
    const limit = this.sparse?.maxMaskDensity
    if (limit === undefined || product.transposeA || !product.transposeB) return false
    const { k, m, n } = product
    const a = this.valuesOf(product.a)
    const b = this.valuesOf(product.b)
    if (this.addon.maskedGemmNT(m, n, k, a, b, x, out, limit) > limit) return false
    this.productCounts.masked++
    return true
  }

  private compute(recipe: Recipe, out: Float32Array): void {
    if (recipe.kind === "product") this.accumulateProduct(recipe, 1, 0, out)
    else this.addon.unary(UnaryOp.step, this.valuesOf(recipe.x), out, 0)
  }

  /** Marks a tensor's buffer as possibly shared with code outside this backend. */
  expose(dataId: DataId): void {
    const data = this.data.get(dataId)
    if (data !== undefined && data.values instanceof Float32Array) this.exposed.add(data.values)
  }

  /** True when nothing but the single holder of `dataId` can observe its buffer. */
  writableInPlace(dataId: DataId): boolean {
    if (this.deferred.has(dataId)) return false
    const data = this.data.get(dataId)
    if (data === undefined || data.refCount !== 1 || !(data.values instanceof Float32Array)) return false
    return this.owned.has(data.values) && !this.exposed.has(data.values)
  }

  /** The cpu backend's synchronous read; the buffer read out is never recycled, since the caller now holds it. */
  override readSync(dataId: DataId) {
    this.expose(dataId)
    return super.readSync(dataId)
  }

  /** The cpu backend's asynchronous read; like `readSync`, it keeps the buffer out of the pool for good. */
  override read(dataId: DataId) {
    this.expose(dataId)
    return super.read(dataId)
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const entry = this.deferred.get(dataId)
    const values = entry === undefined ? this.data.get(dataId)?.values : entry.values
    const freed = super.disposeData(dataId, force)
    if (!freed) return false
    if (values instanceof Float32Array && this.owned.has(values) && !this.exposed.has(values)) {
      this.pool.release(values)
    }
    if (entry !== undefined) {
      this.deferred.delete(dataId)
      for (const operand of operandsOf(entry.recipe)) this.release(operand)
    }
    return true
  }

  /** Drops the reference a deferred tensor held; the engine forgets data freed that way. */
  private release(dataId: DataId): void {
    if (this.disposeData(dataId)) tf.engine().removeDataId(dataId, this)
  }

  /** Empties the buffer pool and forgets every deferred tensor, then disposes the cpu backend's storage. */
  override dispose(): void {
    this.pool.clear()
    this.deferred.clear()
    super.dispose()
  }
}
