/**
 * Platform errors as people read them. Effect's `PlatformError` folds errno
 * codes it has no tag for (ENOSPC, EROFS, EDQUOT, EIO...) into "Unknown"; the
 * code survives only on the cause. `describeError` puts it back: the message
 * plus `[ENOSPC: no space left on device]`, so a full or read-only disk says so.
 */

const errnoOf = (error: unknown, depth = 0): { code: string; text: string | undefined } | undefined => {
  if (error === null || typeof error !== "object" || depth > 4) return undefined
  const candidate = error as { code?: unknown; message?: unknown; cause?: unknown; reason?: unknown }
  if (typeof candidate.code === "string" && /^E[A-Z0-9]+$/.test(candidate.code)) {
    const text = typeof candidate.message === "string" ? candidate.message : undefined
    return { code: candidate.code, text }
  }
  return errnoOf(candidate.cause, depth + 1) ?? errnoOf(candidate.reason, depth + 1)
}

/** The error's message with its errno code (and the system's wording of it), where it has one. */
export const describeError = (error: unknown): string => {
  const message = error instanceof Error || (typeof error === "object" && error !== null && "message" in error)
    ? String((error as { message: unknown }).message)
    : String(error)
  const errno = errnoOf(error)
  if (errno === undefined || message.includes(errno.code)) return message
  const wording = errno.text === undefined ? "" : /^[A-Z0-9]+: ([^,]+)/.exec(errno.text)?.[1]
  // "Unknown" is only Effect's name for a code it has no tag for; the code says more.
  return `${message.replace(/^Unknown: /, "")} [${errno.code}${wording ? `: ${wording}` : ""}]`
}
