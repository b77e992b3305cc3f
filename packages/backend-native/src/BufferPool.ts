/**
 * Recycled Float32Arrays, by length. A fresh large typed array costs page
 * faults on first touch (milliseconds for a weight matrix), so outputs reuse
 * buffers of tensors that have been disposed. The backend decides what may be
 * returned here; the pool only bounds how much it holds.
 */
export class BufferPool {
  private readonly free = new Map<number, Array<Float32Array>>()
  private held = 0
  private readonly limitBytes: number
  private readonly minLength: number

  constructor(limitBytes: number, minLength: number) {
    this.limitBytes = limitBytes
    this.minLength = minLength
  }

  /** A buffer of exactly `length` elements; its contents are arbitrary. */
  acquire(length: number): Float32Array {
    const list = this.free.get(length)
    const reused = list?.pop()
    if (reused !== undefined) {
      this.held -= reused.byteLength
      return reused
    }
    return new Float32Array(length)
  }

  /** Takes back a buffer nothing references any more. */
  release(buffer: Float32Array): void {
    if (buffer.length < this.minLength || this.held + buffer.byteLength > this.limitBytes) return
    const list = this.free.get(buffer.length)
    if (list === undefined) this.free.set(buffer.length, [buffer])
    else list.push(buffer)
    this.held += buffer.byteLength
  }

  get heldBytes(): number {
    return this.held
  }

  clear(): void {
    this.free.clear()
    this.held = 0
  }
}
