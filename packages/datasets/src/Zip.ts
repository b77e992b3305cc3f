/**
 * Reading members of a zip archive (EMNIST ships one): the central directory
 * is read from the end of the file, and a member is streamed from its byte
 * range, inflated, and checked against its stored CRC-32 and size. Zip64,
 * encrypted and multi-disk archives are refused with a typed error.
 */
import { open } from "node:fs/promises"
import { crc32 } from "node:zlib"
import { type ByteSource, fileSource, inflated } from "./ByteReader.ts"
import { MalformedFile } from "./DatasetError.ts"

export interface ZipMember {
  readonly name: string
  readonly method: number
  readonly crc32: number
  readonly compressedSize: number
  readonly size: number
  readonly localHeaderOffset: number
}

const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

const readAt = async (path: string, position: number, length: number): Promise<Uint8Array> => {
  const handle = await open(path, "r")
  try {
    const buffer = new Uint8Array(length)
    const { bytesRead } = await handle.read(buffer, 0, length, position)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** The members of a zip archive, by name. */
export const readZipDirectory = async (path: string): Promise<Map<string, ZipMember>> => {
  const fail = (problem: string) => new MalformedFile({ file: path, problem })
  const handle = await open(path, "r")
  const size = (await handle.stat()).size
  await handle.close()
  const tailLength = Math.min(size, 22 + 0xffff)
  const tail = await readAt(path, size - tailLength, tailLength)
  const tailView = new DataView(tail.buffer, tail.byteOffset, tail.byteLength)
  let eocd = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tailView.getUint32(i, true) === EOCD) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw fail("not a zip archive: no end-of-central-directory record")
  const disk = tailView.getUint16(eocd + 4, true)
  const entries = tailView.getUint16(eocd + 10, true)
  const directorySize = tailView.getUint32(eocd + 12, true)
  const directoryOffset = tailView.getUint32(eocd + 16, true)
  if (disk !== 0) throw fail("multi-disk zip archives are not supported")
  if (entries === 0xffff || directoryOffset === 0xffffffff || directorySize === 0xffffffff) {
    throw fail("zip64 archives are not supported")
  }
  const eocdPosition = size - tailLength + eocd
  if (directoryOffset + directorySize > eocdPosition) {
    throw fail(`central directory at ${directoryOffset} (+${directorySize} bytes) overruns the end record at ${eocdPosition}: truncated or corrupt`)
  }
  const directory = await readAt(path, directoryOffset, directorySize)
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength)
  const members = new Map<string, ZipMember>()
  let at = 0
  for (let e = 0; e < entries; e++) {
    if (at + 46 > directory.length || view.getUint32(at, true) !== CENTRAL) {
      throw fail(`central directory entry ${e} at offset ${directoryOffset + at} is malformed`)
    }
    const flags = view.getUint16(at + 8, true)
    const nameLength = view.getUint16(at + 28, true)
    const extraLength = view.getUint16(at + 30, true)
    const commentLength = view.getUint16(at + 32, true)
    if (at + 46 + nameLength > directory.length) throw fail(`central directory entry ${e} is truncated`)
    const name = new TextDecoder().decode(directory.subarray(at + 46, at + 46 + nameLength))
    if ((flags & 1) !== 0) throw fail(`member ${name} is encrypted`)
    const member: ZipMember = {
      name,
      method: view.getUint16(at + 10, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true)
    }
    if (member.localHeaderOffset + 30 + member.compressedSize > directoryOffset) {
      throw fail(`member ${name} (${member.compressedSize} bytes at ${member.localHeaderOffset}) overruns the central directory`)
    }
    members.set(name, member)
    at += 46 + nameLength + extraLength + commentLength
  }
  return members
}

/** A member's uncompressed bytes, checked against its CRC-32 and size as they stream. */
export const zipMemberSource = (path: string, member: ZipMember): ByteSource => {
  const file = `${path}:${member.name}`
  const fail = (problem: string) => new MalformedFile({ file, problem })
  return {
    file,
    open: async function*(signal) {
      const local = await readAt(path, member.localHeaderOffset, 30)
      const view = new DataView(local.buffer, local.byteOffset, local.byteLength)
      if (local.length < 30 || view.getUint32(0, true) !== LOCAL) throw fail("local header is missing or malformed")
      const start = member.localHeaderOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true)
      if (member.compressedSize === 0) {
        if (member.size !== 0) throw fail(`holds no data but declares ${member.size} bytes`)
        return
      }
      const raw = fileSource(path, { start, end: start + member.compressedSize - 1 })
      let source: ByteSource
      if (member.method === 8) source = inflated(raw, file)
      else if (member.method === 0) source = raw
      else throw fail(`compression method ${member.method} is not supported (only stored and deflate)`)
      let crc = 0
      let size = 0
      for await (const chunk of source.open(signal)) {
        crc = crc32(chunk, crc)
        size += chunk.length
        if (size > member.size) throw fail(`inflates to more than the ${member.size} bytes its directory entry declares`)
        yield chunk
      }
      if (size !== member.size) throw fail(`inflates to ${size} bytes, its directory entry declares ${member.size}`)
      if (crc >>> 0 !== member.crc32) throw fail(`CRC-32 is ${(crc >>> 0).toString(16)}, its directory entry declares ${member.crc32.toString(16)}`)
    }
  }
}
