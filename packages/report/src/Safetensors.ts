/**
 * Model weights as a safetensors file, for PyTorch and other tools: an
 * 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte span, then the tensors' bytes back to back. Written
 * here (a few lines) rather than through a dependency. Tensors are F32:
 * `layer{i}.weight` [fanIn, fanOut] (y = x·W + b, the transpose of
 * torch.nn.Linear's weight), `layer{i}.bias` [fanOut] and any learnable
 * activation parameters as `layer{i}.<name>`, with i counting layers from 0
 * at the input side, the output layer last.
 */
import type { ModelWeights } from "@rectifier/train"

/** One F32 tensor of a safetensors file: its name (e.g. `layer0.weight`), shape, and values in row-major order. */
export interface NamedTensor {
  readonly name: string
  readonly shape: ReadonlyArray<number>
  readonly data: Float32Array
}

/** The tensors of `weights` under their safetensors names, in layer order. */
export const modelTensors = (weights: ModelWeights): ReadonlyArray<NamedTensor> =>
  weights.layers.flatMap((layer, i) => [
    { name: `layer${i}.weight`, shape: [layer.fanIn, layer.fanOut], data: layer.weights },
    { name: `layer${i}.bias`, shape: [layer.fanOut], data: layer.bias },
    ...Object.entries(layer.activationParameters).map(([name, data]) => ({ name: `layer${i}.${name}`, shape: [data.length], data }))
  ])

/** The safetensors bytes of `tensors`, with string `metadata` in the header's `__metadata__`. */
export const encodeSafetensors = (tensors: ReadonlyArray<NamedTensor>, metadata: Readonly<Record<string, string>>): Uint8Array => {
  const header: Record<string, unknown> = { __metadata__: metadata }
  let offset = 0
  for (const tensor of tensors) {
    const bytes = tensor.data.length * 4
    header[tensor.name] = { dtype: "F32", shape: tensor.shape, data_offsets: [offset, offset + bytes] }
    offset += bytes
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  // Spaces pad the header so the data starts 8-byte aligned, as the format recommends.
  const headerLength = Math.ceil(json.length / 8) * 8
  const out = new Uint8Array(8 + headerLength + offset)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, BigInt(headerLength), true)
  out.set(json, 8)
  out.fill(0x20, 8 + json.length, 8 + headerLength)
  let position = 8 + headerLength
  for (const tensor of tensors) {
    for (const value of tensor.data) {
      view.setFloat32(position, value, true)
      position += 4
    }
  }
  return out
}
