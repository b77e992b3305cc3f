import { loadAddon } from "../../backend-native/src/Addon.ts"
const addon = loadAddon(); addon.setThreads(1)
const b = Number(process.argv[2] ?? 500)
const reps = Number(process.argv[3] ?? 20)
const rnd = (n: number) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5; return a }
// [label, ta, tb, m, n, k]
const sizes = [784, 1000, 1000, 1000, 10]
const cases: Array<[string, boolean, boolean, number, number, number]> = []
for (let i = 0; i < 4; i++) cases.push([`fwd${i}`, false, false, b, sizes[i + 1]!, sizes[i]!])
for (let i = 0; i < 4; i++) cases.push([`dW${i}`, true, false, sizes[i]!, sizes[i + 1]!, b])
for (let i = 1; i < 4; i++) cases.push([`dx${i}`, false, true, b, sizes[i]!, sizes[i + 1]!])
let total = 0
for (const [label, ta, tb, m, n, k] of cases) {
  const A = rnd(m * k), B = rnd(k * n), C = new Float32Array(m * n)
  for (let r = 0; r < 3; r++) addon.gemm(ta, tb, 1, m, n, k, A, 0, B, 0, C)
  const t = performance.now()
  for (let r = 0; r < reps; r++) addon.gemm(ta, tb, 1, m, n, k, A, 0, B, 0, C)
  const ms = (performance.now() - t) / reps
  total += ms
  console.log(label.padEnd(6), `${m}x${n}x${k}`.padEnd(16), ms.toFixed(3), (2 * m * n * k / ms / 1e6).toFixed(1), "GFLOP/s")
}
console.log("total ms", total.toFixed(2))
