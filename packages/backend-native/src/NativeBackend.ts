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
 */
import type { DataId, TensorInfo } from "@tensorflow/tfjs-core"
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import type { Addon } from "./Addon.ts"
import { BufferPool } from "./BufferPool.ts"

export class NativeBackend extends MathBackendCPU {
  readonly addon: Addon
  readonly pool: BufferPool
  /** Buffers allocated here for kernel outputs. */
  private readonly owned = new WeakSet<Float32Array>()
  /** Owned buffers that may be visible outside the backend; never recycled. */
  private readonly exposed = new WeakSet<Float32Array>()

  constructor(addon: Addon, poolBytes: number) {
    super()
    this.addon = addon
    this.pool = new BufferPool(poolBytes, 64)
  }

  /** The float32 values behind a tensor. Callers check the dtype first. */
  values(info: TensorInfo): Float32Array {
    return this.data.get(info.dataId).values as Float32Array
  }

  /** True when the tensor is float32 and stored here as a Float32Array. */
  isFloat(info: TensorInfo): boolean {
    return info.dtype === "float32" && this.data.get(info.dataId)?.values instanceof Float32Array
  }

  /** A new float32 output tensor of `shape` over a (possibly recycled) buffer the kernel must fill. */
  output(shape: ReadonlyArray<number>): { readonly info: TensorInfo; readonly values: Float32Array } {
    let size = 1
    for (const d of shape) size *= d
    const values = this.pool.acquire(size)
    this.owned.add(values)
    return { info: this.makeTensorInfo(shape as Array<number>, "float32", values), values }
  }

  /** Marks a tensor's buffer as possibly shared with code outside this backend. */
  expose(dataId: DataId): void {
    const data = this.data.get(dataId)
    if (data !== undefined && data.values instanceof Float32Array) this.exposed.add(data.values)
  }

  /** True when nothing but the single holder of `dataId` can observe its buffer. */
  writableInPlace(dataId: DataId): boolean {
    const data = this.data.get(dataId)
    if (data === undefined || data.refCount !== 1 || !(data.values instanceof Float32Array)) return false
    return this.owned.has(data.values) && !this.exposed.has(data.values)
  }

  override readSync(dataId: DataId) {
    this.expose(dataId)
    return super.readSync(dataId)
  }

  override read(dataId: DataId) {
    this.expose(dataId)
    return super.read(dataId)
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values
    const freed = super.disposeData(dataId, force)
    if (freed && values instanceof Float32Array && this.owned.has(values) && !this.exposed.has(values)) {
      this.pool.release(values)
    }
    return freed
  }

  override dispose(): void {
    this.pool.clear()
    super.dispose()
  }
}
