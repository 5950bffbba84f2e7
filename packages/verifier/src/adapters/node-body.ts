import type { IncomingMessage } from 'node:http'
import { MAX_FORM_BODY_BYTES } from '../index.js'

/**
 * The body, read into memory: a token request is a few hundred bytes, and a Web stream around the Node
 * stream costs more than the request itself. Reading stops one byte past the core's limit, which is
 * enough for the core to refuse the body as too large.
 */
export async function readCapped(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    chunks.push(chunk)
    size += chunk.length
    if (size > MAX_FORM_BODY_BYTES) break
  }
  return new Uint8Array(Buffer.concat(chunks, size))
}
