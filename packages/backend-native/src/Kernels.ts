/**
 * The kernels the native backend computes itself: matrix products (with
 * transposes, batches and the fused bias + activation), element-wise binary
 * ops with broadcasting, the activations and the other unary ops on the
 * training path, the rectifier's gradient in one pass, comparisons, logical
 * ops and selection (what tfjs's activation gradients are made of), splits
 * and concatenations along any axis, and sums and maxima over contiguous
 * axes. Each returns
 * `undefined` for inputs it does not handle (other dtypes, unusual layouts),
 * and the caller then runs the cpu backend's kernel.
 */
import { backend_util, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo, util } from "@tensorflow/tfjs-core"
import { BinaryOp, Comparison, LogicalOp, UnaryOp } from "./Addon.ts"
import type { ProductRecipe } from "./Deferred.ts"
import type { NativeBackend } from "./NativeBackend.ts"

export type NativeKernel = (
  backend: NativeBackend,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap
) => TensorInfo | Array<TensorInfo> | undefined

const product = (shape: ReadonlyArray<number>, from = 0, to = shape.length): number => {
  let size = 1
  for (let i = from; i < to; i++) size *= shape[i]!
  return size
}

// ---- matrix products ----------------------------------------------------------

interface Product {
  readonly m: number
  readonly n: number
  readonly k: number
  readonly batch: number
  readonly strideA: number
  readonly strideB: number
  readonly outShape: Array<number>
}

/** The dimensions of op(a) op(b), or undefined when the backend cannot compute it natively. */
const productOf = (
  backend: NativeBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean
): Product | undefined => {
  if (!backend.isFloat(a) || !backend.isFloat(b) || a.shape.length < 2 || b.shape.length < 2) return undefined
  const ra = a.shape.length
  const rb = b.shape.length
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!
  const batchShape = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))
  const batch = product(batchShape)
  const batchA = product(a.shape, 0, ra - 2)
  const batchB = product(b.shape, 0, rb - 2)
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return undefined
  return { m, n, k, batch, strideA: batchA === 1 ? 0 : m * k, strideB: batchB === 1 ? 0 : k * n, outShape: [...batchShape, m, n] }
}

/** op(a) op(b) + beta * out, into `out` (which holds the bias rows when beta is 1). */
const gemmInto = (
  backend: NativeBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  dims: Product,
  beta: number,
  out: Float32Array
): void => {
  if (out.length === 0) return
  if (dims.batch === 1) {
    const { k, m, n } = dims
    backend.product(transposeA, transposeB, m, n, k, 1, backend.values(a), backend.values(b), beta, out)
    return
  }
  backend.addon.gemm(
    transposeA,
    transposeB,
    dims.batch,
    dims.m,
    dims.n,
    dims.k,
    1,
    backend.values(a),
    dims.strideA,
    backend.values(b),
    dims.strideB,
    beta,
    out
  )
}

/**
 * BatchMatMul. A single product with a transposed operand (how tfjs writes
 * the gradients of a product) is deferred: the backend computes it when it is
 * first read, so a gradient nobody reads (the one for the input batch) costs
 * nothing, and an optimizer that gets a weight gradient first folds it
 * straight into its update (see Sgd.ts).
 */
const batchMatMul: NativeKernel = (backend, inputs, attrs) => {
  const a = inputs["a"]!
  const b = inputs["b"]!
  const transposeA = attrs["transposeA"] === true
  const transposeB = attrs["transposeB"] === true
  const dims = productOf(backend, a, b, transposeA, transposeB)
  if (dims === undefined) return undefined
  if ((transposeA || transposeB) && dims.batch === 1 && dims.m * dims.n > 0 && dims.k > 0) {
    const { k, m, n } = dims
    return backend.defer(dims.outShape, { kind: "product", a: a.dataId, b: b.dataId, transposeA, transposeB, m, n, k })
  }
  const out = backend.output(dims.outShape)
  gemmInto(backend, a, b, transposeA, transposeB, dims, 0, out.values)
  return out.info
}

const fusedActivations: Readonly<Record<string, number>> = {
  relu: UnaryOp.relu,
  relu6: UnaryOp.relu6,
  sigmoid: UnaryOp.sigmoid,
  elu: UnaryOp.elu,
  leakyrelu: UnaryOp.leakyrelu
}

/**
 * _FusedMatMul: op(a) op(b) + bias, then the activation, all in the output
 * buffer. A bias of one row is written into the output first and the product
 * added onto it by the same gemm; other biases are added afterwards.
 */
const fusedMatMul: NativeKernel = (backend, inputs, attrs) => {
  const activation = String(attrs["activation"] ?? "linear")
  const code = fusedActivations[activation]
  if (activation !== "linear" && code === undefined) return undefined
  const a = inputs["a"]!
  const b = inputs["b"]!
  const bias = inputs["bias"]
  if (bias !== undefined && !backend.isFloat(bias)) return undefined
  const transposeA = attrs["transposeA"] === true
  const transposeB = attrs["transposeB"] === true
  const dims = productOf(backend, a, b, transposeA, transposeB)
  if (dims === undefined) return undefined
  const out = backend.output(dims.outShape)
  if (out.values.length === 0) return out.info
  if (bias !== undefined && product(bias.shape) === dims.n && bias.shape[bias.shape.length - 1] === dims.n) {
    backend.addon.fillRows(backend.values(bias), out.values)
    gemmInto(backend, a, b, transposeA, transposeB, dims, 1, out.values)
  } else {
    gemmInto(backend, a, b, transposeA, transposeB, dims, 0, out.values)
    if (bias !== undefined) {
      // out and the first operand are the same buffer: each element is read once, then written.
      const layout = broadcastLayout(out.info.shape, bias.shape, out.info.shape)
      backend.addon.binary(BinaryOp.add, out.values, backend.values(bias), out.values, ...layout)
    }
  }
  if (code !== undefined) {
    backend.addon.activateInPlace(code, out.values, Number(attrs["leakyreluAlpha"] ?? 0.2))
  }
  return out.info
}

// ---- element-wise binary ------------------------------------------------------

/** Strides of `shape` read as the (broadcast) `outShape`: 0 along broadcast axes. */
const stridesFor = (shape: ReadonlyArray<number>, outShape: ReadonlyArray<number>): Array<number> => {
  const rank = outShape.length
  const strides = new Array<number>(rank).fill(0)
  let stride = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    const axis = rank - shape.length + i
    strides[axis] = shape[i] === 1 ? 0 : stride
    stride *= shape[i]!
  }
  return strides
}

/**
 * The shape and strides the addon walks for `a op b`, with adjacent axes that
 * broadcast alike merged: equal shapes become one flat axis, a bias row
 * becomes [rows, columns] with stride 0 on rows.
 */
const broadcastLayout = (
  aShape: ReadonlyArray<number>,
  bShape: ReadonlyArray<number>,
  outShape: ReadonlyArray<number>
): [Int32Array, Int32Array, Int32Array] => {
  const sa = stridesFor(aShape, outShape)
  const sb = stridesFor(bShape, outShape)
  const shape: Array<number> = []
  const stridesA: Array<number> = []
  const stridesB: Array<number> = []
  for (let axis = 0; axis < outShape.length; axis++) {
    const size = outShape[axis]!
    if (size === 1) continue
    const last = shape.length - 1
    // Merge with the previous axis when both operands continue their layouts across it.
    if (
      last >= 0 &&
      sa[axis]! * size === stridesA[last]! &&
      sb[axis]! * size === stridesB[last]!
    ) {
      shape[last] = shape[last]! * size
      stridesA[last] = sa[axis]!
      stridesB[last] = sb[axis]!
      continue
    }
    shape.push(size)
    stridesA.push(sa[axis]!)
    stridesB.push(sb[axis]!)
  }
  if (shape.length === 0) return [Int32Array.of(1), Int32Array.of(0), Int32Array.of(0)]
  return [Int32Array.from(shape), Int32Array.from(stridesA), Int32Array.from(stridesB)]
}

/** A float32 binary op over the inputs named `first` and `second` (a and b; Prelu's x and alpha). */
const binary = (op: number, first = "a", second = "b"): NativeKernel => (backend, inputs) => {
  const a = inputs[first]!
  const b = inputs[second]!
  if (!backend.isFloat(a) || !backend.isFloat(b)) return undefined
  const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape)
  const out = backend.output(outShape)
  if (out.values.length > 0) {
    backend.addon.binary(op, backend.values(a), backend.values(b), out.values, ...broadcastLayout(a.shape, b.shape, outShape))
  }
  return out.info
}

/** A comparison of float32 tensors with broadcasting; a bool output (0/1 bytes), as the cpu backend stores it. */
const comparison = (op: number): NativeKernel => (backend, inputs) => {
  const a = inputs["a"]!
  const b = inputs["b"]!
  if (!backend.isFloat(a) || !backend.isFloat(b)) return undefined
  const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape)
  const out = backend.boolOutput(outShape)
  if (out.values.length > 0) {
    backend.addon.compare(op, backend.values(a), backend.values(b), out.values, ...broadcastLayout(a.shape, b.shape, outShape))
  }
  return out.info
}

/** LogicalAnd / LogicalOr of bool tensors with broadcasting. */
const logical = (op: number): NativeKernel => (backend, inputs) => {
  const a = inputs["a"]!
  const b = inputs["b"]!
  if (!backend.isBool(a) || !backend.isBool(b)) return undefined
  const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape)
  const out = backend.boolOutput(outShape)
  if (out.values.length > 0) {
    backend.addon.logical(op, backend.bools(a), backend.bools(b), out.values, ...broadcastLayout(a.shape, b.shape, outShape))
  }
  return out.info
}

/**
 * Select (tf.where): t where the condition is true, else e. tf.where
 * broadcasts all three to one shape before it runs the kernel, so only that
 * case is native; a rank-1 condition over the first axis (possible only by
 * calling the kernel directly) goes to the cpu kernel, which, in tfjs 4.22,
 * reads t and e at the condition's index there rather than the element's.
 */
const select: NativeKernel = (backend, inputs) => {
  const condition = inputs["condition"]!
  const t = inputs["t"]!
  const e = inputs["e"]!
  if (!backend.isBool(condition) || !backend.isFloat(t) || !backend.isFloat(e)) return undefined
  if (!util.arraysEqual(condition.shape, t.shape) || !util.arraysEqual(t.shape, e.shape)) return undefined
  const out = backend.output(t.shape)
  if (out.values.length > 0) {
    backend.addon.select(backend.bools(condition), backend.values(t), backend.values(e), out.values)
  }
  return out.info
}

// ---- splits and concatenations --------------------------------------------------

/**
 * Concat along any axis of float32 tensors: with the output seen as
 * [outer, total along the axis x inner], each input is a block of columns,
 * copied row by row. Empty inputs contribute nothing (and are not read).
 */
const concat: NativeKernel = (backend, inputs, attrs) => {
  const parts = Object.values(inputs) as Array<TensorInfo>
  const first = parts[0]
  if (first === undefined || first.shape.length === 0 || parts.some((part) => !backend.isFloat(part))) return undefined
  const axis = util.parseAxisParam(attrs["axis"] as number, first.shape)[0]!
  const shapes = parts.map((part) => part.shape)
  backend_util.assertParamsConsistent(shapes, axis)
  const outShape = backend_util.computeOutShape(shapes, axis)
  const out = backend.output(outShape)
  if (out.values.length === 0) return out.info
  const outer = product(outShape, 0, axis)
  const rowLength = product(outShape, axis)
  let offset = 0
  for (const part of parts) {
    const length = product(part.shape, axis)
    if (length > 0) backend.addon.copyRows(backend.values(part), 0, length, out.values, offset, rowLength, outer, length)
    offset += length
  }
  return out.info
}

/**
 * SplitV along any axis of a float32 tensor: each output is a block of
 * columns of the input seen as [outer, size along the axis x inner], copied
 * into its own buffer (never a view of the input, unlike the cpu kernel's slices).
 */
const splitV: NativeKernel = (backend, inputs, attrs) => {
  const x = inputs["x"]!
  if (!backend.isFloat(x) || x.shape.length === 0) return undefined
  const axis = util.parseAxisParam(attrs["axis"] as number, x.shape)[0]!
  const sizes = backend_util.prepareSplitSize(x, attrs["numOrSizeSplits"] as number | Array<number>, axis)
  const outer = product(x.shape, 0, axis)
  const inner = product(x.shape, axis + 1)
  const rowLength = x.shape[axis]! * inner
  let offset = 0
  return sizes.map((size) => {
    const shape = x.shape.map((d, i) => (i === axis ? size : d))
    const out = backend.output(shape)
    const length = size * inner
    if (out.values.length > 0) backend.addon.copyRows(backend.values(x), offset, rowLength, out.values, 0, length, outer, length)
    offset += length
    return out.info
  })
}

// ---- element-wise unary -------------------------------------------------------

const alphaAttr = (attrs: NamedAttrMap) => Number(attrs["alpha"] ?? 0)

const unary = (op: number, alpha: (attrs: NamedAttrMap) => number = () => 0): NativeKernel => (backend, inputs, attrs) => {
  const x = inputs["x"]!
  if (!backend.isFloat(x)) return undefined
  const out = backend.output(x.shape)
  if (out.values.length > 0) backend.addon.unary(op, backend.values(x), out.values, alpha(attrs))
  return out.info
}

/** ClipByValue: the bounds rounded to float32, as the cpu kernel stores them; NaN passes through. */
const clipByValue: NativeKernel = (backend, inputs, attrs) => {
  const x = inputs["x"]!
  if (!backend.isFloat(x)) return undefined
  const out = backend.output(x.shape)
  if (out.values.length > 0) {
    const low = Math.fround(Number(attrs["clipValueMin"]))
    const high = Math.fround(Number(attrs["clipValueMax"]))
    backend.addon.clip(backend.values(x), out.values, low, high)
  }
  return out.info
}

/** ZerosLike of a float32 tensor (its input's values are never read). */
const zerosLike: NativeKernel = (backend, inputs) => {
  const x = inputs["x"]!
  if (x.dtype !== "float32") return undefined
  const out = backend.output(x.shape)
  out.values.fill(0)
  return out.info
}

/**
 * Cast of a bool tensor to float32. The cpu kernel hands back the same bytes
 * labelled float32, which no float kernel here can read (a Uint8Array); a real
 * Float32Array of 0s and 1s keeps what follows (maxout's gradient multiplies
 * by it) native.
 */
const cast: NativeKernel = (backend, inputs, attrs) => {
  const x = inputs["x"]!
  if (attrs["dtype"] !== "float32" || !backend.isBool(x)) return undefined
  const out = backend.output(x.shape)
  out.values.set(backend.bools(x))
  return out.info
}

const eluGrad: NativeKernel = (backend, inputs) => {
  const dy = inputs["dy"]!
  const y = inputs["y"]!
  if (!backend.isFloat(dy) || !backend.isFloat(y) || !util.arraysEqual(dy.shape, y.shape)) return undefined
  const out = backend.output(dy.shape)
  if (out.values.length > 0) backend.addon.eluGrad(backend.values(dy), backend.values(y), out.values)
  return out.info
}

// ---- the rectifier's gradient ---------------------------------------------------

/**
 * Step. With alpha 0 (how tfjs writes the gradients of relu: dy * step(x)) the
 * step is deferred, so that the multiplication reads x itself (`multiply`).
 */
const step: NativeKernel = (backend, inputs, attrs) => {
  const x = inputs["x"]!
  if (alphaAttr(attrs) !== 0 || !backend.isFloat(x) || product(x.shape) === 0) {
    return unary(UnaryOp.step, alphaAttr)(backend, inputs, attrs)
  }
  return backend.defer(x.shape, { kind: "step", x: x.dataId })
}

/**
 * out = y * step(x) in one pass; when y is a deferred input gradient nobody has formed yet and
 * sparse products are on, computed only where x > 0 (NativeBackend's `maskedProduct`).
 */
const stepMaskedInto = (backend: NativeBackend, y: TensorInfo, x: Float32Array, out: Float32Array): void => {
  const pending = backend.pendingProduct(y.dataId)
  if (pending === undefined || !backend.maskedProduct(pending, x, out)) backend.addon.stepProduct(backend.values(y), x, out)
}

/**
 * Multiply; by a deferred step of a tensor of the same shape, y * step(x) in
 * one pass, and, when y is a deferred input gradient and sparse products are
 * on, only the entries step(x) keeps (NativeBackend's `maskedProduct`).
 */
const multiply: NativeKernel = (backend, inputs, attrs) => {
  const a = inputs["a"]!
  const b = inputs["b"]!
  if (util.arraysEqual(a.shape, b.shape) && backend.isFloat(a) && backend.isFloat(b)) {
    const stepB = backend.deferredStep(b.dataId)
    const stepA = stepB === undefined ? backend.deferredStep(a.dataId) : undefined
    const mask = stepB ?? stepA
    if (mask !== undefined) {
      const out = backend.output(a.shape)
      if (out.values.length > 0) stepMaskedInto(backend, stepB !== undefined ? a : b, backend.valuesOf(mask.x), out.values)
      return out.info
    }
  }
  return binary(BinaryOp.mul)(backend, inputs, attrs)
}

// ---- reductions ---------------------------------------------------------------

/** Sum (op 0) or max (op 1) over a contiguous run of axes (the attribute `axisAttr`). */
const reduction = (op: number, axisAttr: string): NativeKernel => (backend, inputs, attrs) => {
  const x = inputs["x"]!
  if (!backend.isFloat(x)) return undefined
  const axes = util.parseAxisParam(attrs[axisAttr] as number | Array<number>, x.shape).sort((p, q) => p - q)
  if (axes.length === 0 || axes.some((axis, i) => axis !== axes[0]! + i)) return undefined
  const first = axes[0]!
  const last = axes[axes.length - 1]!
  const size = product(x.shape, first, last + 1)
  if (op === 1 && size === 0) return undefined
  const outShape = attrs["keepDims"] === true
    ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d))
    : x.shape.filter((_, i) => i < first || i > last)
  const out = backend.output(outShape)
  if (out.values.length > 0) {
    backend.addon.reduce(op, backend.values(x), out.values, product(x.shape, 0, first), size, product(x.shape, last + 1))
  }
  return out.info
}

// ---- the dense layer's gradient (Dense.ts) -------------------------------------

/** The name of the kernel below; registered for the native backend only (no cpu kernel stands behind it). */
export const denseGradKernel = "NativeDenseGrad"

/** The name of the sign-alternating rectifier's signs as a kernel (`alternateSigns`), native only like the one above. */
export const alternateSignsKernel = "NativeAlternateSigns"

/** The paper's alternating signs per width, +1 for even units and -1 for odd (activations' `alternatingSigns`). */
const signRows = new Map<number, Float32Array>()
const signsOf = (units: number): Float32Array => {
  let signs = signRows.get(units)
  if (signs === undefined) {
    signs = Float32Array.from({ length: units }, (_, i) => (i % 2 === 0 ? 1 : -1))
    signRows.set(units, signs)
  }
  return signs
}

/** out = x * signs, a row of signs broadcast over x's rows: the Multiply kernel's arithmetic by the signs row. */
const alternateInto = (backend: NativeBackend, x: Float32Array, shape: ReadonlyArray<number>, out: Float32Array): void => {
  const units = shape[1]!
  backend.addon.binary(BinaryOp.mul, x, signsOf(units), out, ...broadcastLayout(shape, [units], shape))
}

/** The sign-alternating rectifier's output from the rectifier's, x * signs, bit for bit tfjs's `mul(x, alternatingSigns)`. */
const alternateSigns = (backend: NativeBackend, inputs: NamedTensorInfoMap): TensorInfo => {
  const x = inputs["x"]!
  const out = backend.output(x.shape)
  if (out.values.length > 0) alternateInto(backend, backend.values(x), x.shape, out.values)
  return out.info
}

/** op(a) op(b) as a deferred product (Deferred.ts), or computed at once when a dimension is empty. */
const deferredProduct = (backend: NativeBackend, recipe: Omit<ProductRecipe, "kind">): TensorInfo => {
  const { k, m, n } = recipe
  if (m * n > 0 && k > 0) return backend.defer([m, n], { kind: "product", ...recipe })
  const out = backend.output([m, n])
  out.values.fill(0)
  return out.info
}

/**
 * δ = (dy * signs) * step(r) for the sign-alternating rectifier y = r * signs (r the rectifier's
 * output), as tfjs's gradients of `mul` and the rectifier compute it; when dy is a deferred input
 * gradient and sparse products are on, (dy's product * step(r)) * signs instead, only where r > 0
 * (the same values: the factors are ±1 and 0 or 1, so the order of the two exact products does
 * not matter).
 */
const alternatingMaskedInto = (backend: NativeBackend, dy: TensorInfo, r: Float32Array, out: Float32Array): void => {
  const pending = backend.pendingProduct(dy.dataId)
  if (pending !== undefined && backend.maskedProduct(pending, r, out)) {
    alternateInto(backend, out, dy.shape, out)
    return
  }
  alternateInto(backend, backend.values(dy), dy.shape, out)
  backend.addon.stepProduct(out, r, out)
}

/**
 * The gradient of the dense layer y = f(x W + b) (f the rectifier, the sign-alternating rectifier
 * or the identity) in one dispatch, the same arithmetic as tfjs's gradients of the fused product,
 * the rectifier and the signs' `mul`:
 * δ = dy * step(y) (one pass, masked when sparse; step(y) is step(x W + b), the rectifier keeping
 * signs, zeros and NaN; for the alternating form `alternatingMaskedInto`, with y the rectifier's
 * output before the signs), then the input gradient δ Wᵀ and the weight gradient xᵀ δ as deferred
 * products (the SGD update adds the latter into W inside its gemm) and the bias gradient, δ summed
 * over rows in double in row order as the Sum kernel does. Outputs: [dx, dW, db].
 */
const denseGrad = (backend: NativeBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): Array<TensorInfo> => {
  const dy = inputs["dy"]!
  const x = inputs["x"]!
  const weights = inputs["weights"]!
  // The rectifier's mask is read from its output y; a linear layer has none.
  const activation = attrs["activation"]
  const y = activation === "linear" ? undefined : inputs["y"]!
  const [m, n] = dy.shape as [number, number]
  const k = x.shape[1]!
  let delta = dy
  if (y !== undefined) {
    const out = backend.output(dy.shape)
    if (out.values.length > 0) {
      if (activation === "relu-alternating") alternatingMaskedInto(backend, dy, backend.values(y), out.values)
      else stepMaskedInto(backend, dy, backend.values(y), out.values)
    }
    delta = out.info
  }
  const dx = deferredProduct(backend, { a: delta.dataId, b: weights.dataId, transposeA: false, transposeB: true, m, n: k, k: n })
  const dw = deferredProduct(backend, { a: x.dataId, b: delta.dataId, transposeA: true, transposeB: false, m: k, n, k: m })
  const db = backend.output([n])
  if (n > 0) backend.addon.reduce(0, backend.values(delta), db.values, 1, m, n)
  // The products hold δ while they need it; this kernel's own reference ends here.
  if (delta !== dy) backend.disposeData(delta.dataId)
  return [dx, dw, db.info]
}

/** Kernels with no cpu counterpart, registered for the native backend alone. */
export const nativeOnlyKernels: Readonly<Record<string, (backend: NativeBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap) => TensorInfo | Array<TensorInfo>>> = {
  [denseGradKernel]: denseGrad,
  [alternateSignsKernel]: alternateSigns
}

/** Kernel name -> native implementation. */
export const nativeKernels: Readonly<Record<string, NativeKernel>> = {
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Add: binary(BinaryOp.add),
  Sub: binary(BinaryOp.sub),
  Multiply: multiply,
  RealDiv: binary(BinaryOp.div),
  Maximum: binary(BinaryOp.maximum),
  Minimum: binary(BinaryOp.minimum),
  SquaredDifference: binary(BinaryOp.squaredDifference),
  Relu: unary(UnaryOp.relu),
  Relu6: unary(UnaryOp.relu6),
  Sigmoid: unary(UnaryOp.sigmoid),
  Tanh: unary(UnaryOp.tanh),
  Softplus: unary(UnaryOp.softplus),
  Exp: unary(UnaryOp.exp),
  Log: unary(UnaryOp.log),
  Neg: unary(UnaryOp.neg),
  Square: unary(UnaryOp.square),
  Step: step,
  Elu: unary(UnaryOp.elu),
  LeakyRelu: unary(UnaryOp.leakyrelu, alphaAttr),
  Abs: unary(UnaryOp.abs),
  Sqrt: unary(UnaryOp.sqrt),
  Log1p: unary(UnaryOp.log1p),
  Reciprocal: unary(UnaryOp.reciprocal),
  Sign: unary(UnaryOp.sign),
  Expm1: unary(UnaryOp.expm1),
  Erf: unary(UnaryOp.erf),
  ClipByValue: clipByValue,
  Prelu: binary(BinaryOp.prelu, "x", "alpha"),
  Greater: comparison(Comparison.greater),
  GreaterEqual: comparison(Comparison.greaterEqual),
  Less: comparison(Comparison.less),
  LessEqual: comparison(Comparison.lessEqual),
  Equal: comparison(Comparison.equal),
  NotEqual: comparison(Comparison.notEqual),
  LogicalAnd: logical(LogicalOp.and),
  LogicalOr: logical(LogicalOp.or),
  Select: select,
  ZerosLike: zerosLike,
  Cast: cast,
  Concat: concat,
  SplitV: splitV,
  EluGrad: eluGrad,
  Sum: reduction(0, "axis"),
  Max: reduction(1, "reductionIndices")
}
