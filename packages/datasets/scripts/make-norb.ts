/**
 * Writes a NORB dat/cat pair of realistic size (for load measurements where
 * the real Jittered-Cluttered NORB cannot be downloaded):
 *   pnpm exec node packages/datasets/scripts/make-norb.ts <folder> [pairs=29160] [side=108]
 * The pixels are a fixed textured pattern with per-example variation (not
 * random: no generator is needed), gzip level 1, streamed to disk.
 */
import { createWriteStream } from "node:fs"
import { mkdir } from "node:fs/promises"
import { join } from "node:path"
import { pipeline } from "node:stream/promises"
import { createGzip } from "node:zlib"

const [folder = ".", pairsText = "29160", sideText = "108"] = process.argv.slice(2)
const pairs = Number(pairsText)
const side = Number(sideText)
await mkdir(folder, { recursive: true })

const header = (magic: number, dims: ReadonlyArray<number>) => {
  const out = Buffer.alloc(8 + 4 * Math.max(3, dims.length))
  out.writeInt32LE(magic, 0)
  out.writeInt32LE(dims.length, 4)
  for (let i = 0; i < Math.max(3, dims.length); i++) out.writeInt32LE(dims[i] ?? 1, 8 + 4 * i)
  return out
}

async function* dat() {
  yield header(0x1e3d4c55, [pairs, 2, side, side])
  const pair = Buffer.alloc(2 * side * side)
  for (let n = 0; n < pairs; n++) {
    for (let i = 0; i < pair.length; i++) pair[i] = (i * 7 + n * 13 + ((i >> 5) ^ n)) & 0xff
    yield pair
  }
}

async function* cat() {
  yield header(0x1e3d4c54, [pairs])
  const labels = Buffer.alloc(4 * pairs)
  // Jittered-Cluttered NORB has 6 classes (the sixth: no object), small NORB 5.
  const classes = side === 96 ? 5 : 6
  for (let n = 0; n < pairs; n++) labels.writeInt32LE(n % classes, 4 * n)
  yield labels
}

const name = `norb-${pairs}x2x${side}x${side}`
await pipeline(dat(), createGzip({ level: 1 }), createWriteStream(join(folder, `${name}-dat.mat.gz`)))
await pipeline(cat(), createGzip({ level: 1 }), createWriteStream(join(folder, `${name}-cat.mat.gz`)))
console.log(join(folder, `${name}-{dat,cat}.mat.gz`))
