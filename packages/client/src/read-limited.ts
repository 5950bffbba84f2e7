/** Thrown by {@link readLimited} when a body is longer than allowed. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError'
}

/**
 * Reads `response`'s body as UTF-8 text, up to `maxBytes`. A longer body is cancelled and throws
 * {@link BodyTooLargeError}, so a hostile or broken server cannot make the client buffer without end.
 */
export async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > maxBytes) {
    response.body?.cancel().catch(() => undefined)
    throw new BodyTooLargeError(`The body declares ${declared} bytes, over the limit of ${maxBytes}.`)
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      reader.cancel().catch(() => undefined)
      throw new BodyTooLargeError(`The body is over the limit of ${maxBytes} bytes.`)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}
