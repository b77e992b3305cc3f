/**
 * Small files in the real formats, written by the tests: IDX, CIFAR-10
 * records in a ustar archive, NORB matrices and zip archives (stored or
 * deflated members with their CRC-32). The writers follow the published
 * layouts independently of the parsers under test.
 */
import { once } from "node:events"
import { deflateRawSync, crc32, createGzip, gzipSync } from "node:zlib"

export const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

const u32be = (values: ReadonlyArray<number>): Uint8Array => {
  const out = new Uint8Array(4 * values.length)
  const view = new DataView(out.buffer)
  values.forEach((v, i) => view.setUint32(4 * i, v, false))
  return out
}

const i32le = (values: ReadonlyArray<number>): Uint8Array => {
  const out = new Uint8Array(4 * values.length)
  const view = new DataView(out.buffer)
  values.forEach((v, i) => view.setInt32(4 * i, v, true))
  return out
}

/** A deterministic byte pattern (no randomness needed). */
export const pattern = (length: number, salt = 0): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (i * 37 + salt * 11 + ((i * i) >> 3)) & 0xff)

export const idxImages = (count: number, rows: number, columns: number, pixels = pattern(count * rows * columns)) =>
  concat([u32be([0x0803, count, rows, columns]), pixels])

export const idxLabels = (labels: ReadonlyArray<number>) => concat([u32be([0x0801, labels.length]), Uint8Array.from(labels)])

export const gzip = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes))

/** A CIFAR-10 record: label byte then 3072 pixel bytes. */
export const cifarRecords = (labels: ReadonlyArray<number>, salt: number): Uint8Array =>
  concat(labels.map((label, i) => concat([Uint8Array.of(label), pattern(3072, salt * 1000 + i)])))

/** A ustar archive of regular files. */
export const tar = (files: ReadonlyArray<{ readonly name: string; readonly data: Uint8Array }>): Uint8Array => {
  const blocks: Array<Uint8Array> = []
  const field = (header: Uint8Array, offset: number, text: string) => header.set(new TextEncoder().encode(text), offset)
  for (const { data, name } of files) {
    const header = new Uint8Array(512)
    field(header, 0, name)
    field(header, 100, "0000644\0")
    field(header, 108, "0000000\0")
    field(header, 116, "0000000\0")
    field(header, 124, `${data.length.toString(8).padStart(11, "0")}\0`)
    field(header, 136, "00000000000\0")
    field(header, 148, "        ")
    header[156] = "0".charCodeAt(0)
    field(header, 257, "ustar\0")
    field(header, 263, "00")
    const sum = header.reduce((a, b) => a + b, 0)
    field(header, 148, `${sum.toString(8).padStart(6, "0")}\0 `)
    blocks.push(header, data, new Uint8Array((512 - (data.length % 512)) % 512))
  }
  blocks.push(new Uint8Array(1024))
  return concat(blocks)
}

/** A NORB uint8 matrix of stereo pairs: N x 2 x side x side. */
export const norbDat = (count: number, side: number, pixels = pattern(count * 2 * side * side)) =>
  concat([i32le([0x1e3d4c55, 4, count, 2, side, side]), pixels])

/** A NORB int32 label matrix: rank 1, stored with three dimensions. */
export const norbCat = (labels: ReadonlyArray<number>) =>
  concat([i32le([0x1e3d4c54, 1, labels.length, 1, 1]), i32le(labels)])

/** A zip archive whose members are deflated (or stored when `store`). */
export const zip = (files: ReadonlyArray<{ readonly name: string; readonly data: Uint8Array }>, store = false): Uint8Array => {
  const locals: Array<Uint8Array> = []
  const centrals: Array<Uint8Array> = []
  let offset = 0
  for (const { data, name } of files) {
    const nameBytes = new TextEncoder().encode(name)
    const body = store ? data : new Uint8Array(deflateRawSync(data))
    const crc = crc32(data) >>> 0
    const local = new Uint8Array(30)
    const lv = new DataView(local.buffer)
    lv.setUint32(0, 0x04034b50, true)
    lv.setUint16(4, 20, true)
    lv.setUint16(8, store ? 0 : 8, true)
    lv.setUint32(14, crc, true)
    lv.setUint32(18, body.length, true)
    lv.setUint32(22, data.length, true)
    lv.setUint16(26, nameBytes.length, true)
    const central = new Uint8Array(46)
    const cv = new DataView(central.buffer)
    cv.setUint32(0, 0x02014b50, true)
    cv.setUint16(4, 20, true)
    cv.setUint16(6, 20, true)
    cv.setUint16(10, store ? 0 : 8, true)
    cv.setUint32(16, crc, true)
    cv.setUint32(20, body.length, true)
    cv.setUint32(24, data.length, true)
    cv.setUint16(28, nameBytes.length, true)
    cv.setUint32(42, offset, true)
    locals.push(local, nameBytes, body)
    centrals.push(central, nameBytes)
    offset += 30 + nameBytes.length + body.length
  }
  const directory = concat(centrals)
  const end = new Uint8Array(22)
  const ev = new DataView(end.buffer)
  ev.setUint32(0, 0x06054b50, true)
  ev.setUint16(8, files.length, true)
  ev.setUint16(10, files.length, true)
  ev.setUint32(12, directory.length, true)
  ev.setUint32(16, offset, true)
  return concat([...locals, directory, end])
}

/**
 * A gzipped NORB uint8 matrix of `count` all-zero stereo pairs, compressed
 * as it is produced: official-size files (448 MB unpacked) without holding them.
 */
export const zeroNorbDatGz = async (count: number, side: number): Promise<Uint8Array> => {
  const gzip = createGzip({ level: 1 })
  const chunks: Array<Uint8Array> = []
  gzip.on("data", (chunk: Uint8Array) => chunks.push(chunk))
  const ended = once(gzip, "end")
  gzip.write(i32le([0x1e3d4c55, 4, count, 2, side, side]))
  const block = new Uint8Array(1 << 20)
  for (let left = count * 2 * side * side; left > 0; left -= block.length) {
    if (!gzip.write(block.subarray(0, Math.min(left, block.length)))) await once(gzip, "drain")
  }
  gzip.end()
  await ended
  return concat(chunks)
}
