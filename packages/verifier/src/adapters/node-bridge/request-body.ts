import type { IncomingMessage } from 'node:http'
import { finished } from 'node:stream'
import { MAX_FORM_BODY_BYTES } from '../../token-endpoint/form-body.js'

/**
 * How much of a body past the limit is read and dropped before the answer. Closing a connection
 * while the client is still sending makes the server's TCP stack reset it, which can erase the
 * answer before the client reads it (RFC 9112 §9.6): reading the rest lets the client finish. Past
 * this bound the rest is left unread, and the connection closed after the answer all the same.
 */
const MAX_DRAINED_BYTES = 4 * 1024 * 1024

/** Requests whose body passed the limit. */
const abandoned = new WeakSet<IncomingMessage>()

/**
 * The body, read into memory: a token request is a few hundred bytes, and a Web stream around the Node
 * stream costs more than the request itself. Buffering stops one chunk past the core's limit, which is
 * enough for the core to refuse the body as too large; the rest is read and dropped, never destroyed:
 * destroying the request would stop the socket, or close it, before the answer is written.
 */
export function readCapped(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let read = 0
    const onData = (chunk: Buffer): void => {
      if (read <= MAX_FORM_BODY_BYTES) chunks.push(chunk)
      read += chunk.length
      if (read > MAX_FORM_BODY_BYTES) abandoned.add(req)
      if (read > MAX_DRAINED_BYTES) {
        req.pause()
        settle()
      }
    }
    const settle = (error?: Error | null): void => {
      stopWatching()
      req.off('data', onData)
      if (error) reject(error)
      else resolve(new Uint8Array(Buffer.concat(chunks)))
    }
    const stopWatching = finished(req, settle)
    req.on('data', onData)
  })
}

/** Whether the body of `req` passed the limit and was abandoned: the client may still be sending it. */
export function isAbandoned(req: IncomingMessage): boolean {
  return abandoned.has(req)
}
