/**
 * A streaming reader of tar archives (ustar and GNU): walks the 512-byte
 * headers, checks each header's checksum, and hands every regular file's
 * contents to a callback without buffering the archive.
 */
import type { ByteReader } from "./ByteReader.ts"

const BLOCK = 512

export interface TarEntry {
  readonly name: string
  readonly size: number
}

const text = (block: Uint8Array, start: number, length: number): string => {
  const field = block.subarray(start, start + length)
  const end = field.indexOf(0)
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end))
}

const octal = (reader: ByteReader, block: Uint8Array, start: number, length: number, offset: number): number => {
  if ((block[start]! & 0x80) !== 0) {
    // GNU base-256: big-endian binary in the remaining bytes.
    let value = 0
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!
    return value
  }
  const digits = text(block, start, length).trim()
  if (!/^[0-7]*$/.test(digits)) throw reader.fail(`tar header at offset ${offset}: field "${digits}" is not octal`)
  return digits === "" ? 0 : parseInt(digits, 8)
}

/**
 * Calls `onFile` for every regular file; it must read exactly `entry.size`
 * bytes from the reader, or return `false` (before reading) to have the
 * entry skipped. Resolves at the archive's end-of-archive blocks.
 */
export const forEachTarEntry = async (
  reader: ByteReader,
  onFile: (entry: TarEntry) => Promise<boolean>
): Promise<void> => {
  let longName: string | undefined
  for (;;) {
    const offset = reader.position
    if (await reader.atEnd()) throw reader.fail(`tar archive ends at offset ${offset} without its end-of-archive blocks`)
    const block = await reader.read(BLOCK, "a tar header")
    if (block.every((b) => b === 0)) return
    let sum = 0
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!
    const stored = octal(reader, block, 148, 8, offset)
    if (stored !== sum) throw reader.fail(`tar header at offset ${offset} has checksum ${stored}, computed ${sum}: not a tar archive or corrupt`)
    const size = octal(reader, block, 124, 12, offset)
    const type = String.fromCharCode(block[156]!)
    const prefix = text(block, 257, 5) === "ustar" ? text(block, 345, 155) : ""
    const name = longName ?? (prefix === "" ? text(block, 0, 100) : `${prefix}/${text(block, 0, 100)}`)
    longName = undefined
    const padding = (BLOCK - (size % BLOCK)) % BLOCK
    if (type === "L") {
      longName = text(await reader.read(size, "a GNU long name"), 0, size)
    } else {
      const consumed = (type === "0" || type === "\0") && (await onFile({ name, size }))
      if (!consumed) await reader.skip(size, `tar entry ${name}`)
    }
    await reader.skip(padding, `the padding of tar entry ${name}`)
  }
}
