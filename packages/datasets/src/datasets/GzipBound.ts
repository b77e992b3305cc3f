/**
 * The size limit of a gzipped file whose own size is not published but whose
 * content's is: what bounds a download from a lying server.
 */
import type { FileSize } from "../Download.ts"

/**
 * The most bytes a gzip of `bytes` bytes can take: deflate's stored blocks
 * add 5 bytes per 64 KiB (bounded here by 1/64), plus the gzip header
 * (with a file name) and trailer.
 */
export const gzipBound = (bytes: number, what: string): FileSize => ({
  atMost: bytes + Math.ceil(bytes / 64) + 1024,
  basis: `the largest a gzip of ${what} (${bytes.toLocaleString("en")} bytes) can be`
})
