import type { IncomingMessage } from 'node:http'
import { finished } from 'node:stream'
import {
  checkFormHeaders,
  isLatchkeyError,
  LatchkeyError,
  MAX_FORM_BODY_BYTES,
  parseFormBody,
} from '@latchkey/verifier'

// The token endpoint's form rules (media type, size cap, parameters), read from a Node request that is
// drained past the cap rather than left unread.

/** How much past the cap is read and dropped before answering, so the client gets to read the answer. */
const MAX_DRAINED_BYTES = 4 * 1024 * 1024

/** A form body, or the refusal of it. */
export type FormBody =
  | { readonly ok: true; readonly form: ReadonlyMap<string, string> }
  | {
      readonly ok: false
      readonly error: LatchkeyError
      /** The body passed the cap: the client may still be sending, so close the connection after answering. */
      readonly abandoned: boolean
    }

/**
 * The parameters of `req`'s `application/x-www-form-urlencoded` body (RFC 6749 §3.2, the form RFC 7662
 * §2.1 asks for), refused as the token endpoint refuses it (`ERR_INVALID_REQUEST`): another media type,
 * more than `MAX_FORM_BODY_BYTES`, more than `MAX_FORM_PARAMETERS`, invalid UTF-8, or a parameter given
 * twice. `what` names the request in the messages ("introspection request").
 */
export async function readFormBody(req: IncomingMessage, what: string): Promise<FormBody> {
  // Read before any refusal, as the verifier's Node adapter does, so the answer reaches the client.
  const { bytes, overflowed } = await readCapped(req)
  try {
    // The declared length is not trusted: `overflowed` says what was sent.
    checkFormHeaders(req.headers['content-type'], undefined, what)
    if (overflowed) throw new LatchkeyError('ERR_INVALID_REQUEST', `The ${what} body is too large.`)
    return { ok: true, form: parseFormBody(bytes, what) }
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    return { ok: false, error, abandoned: overflowed }
  }
}

/**
 * The body up to the cap. Past it the rest is read and dropped rather than left: closing while the
 * client still sends makes the TCP stack reset the connection, which can erase the answer (RFC 9112
 * §9.6). Past `MAX_DRAINED_BYTES` reading stops, and the connection is closed after the answer.
 */
function readCapped(req: IncomingMessage): Promise<{ bytes: Uint8Array; overflowed: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let read = 0
    const settle = (error?: Error | null) => {
      stopWatching()
      req.off('data', onData)
      if (error) reject(error)
      else resolve({ bytes: Buffer.concat(chunks), overflowed: read > MAX_FORM_BODY_BYTES })
    }
    const onData = (chunk: Buffer) => {
      read += chunk.length
      if (read <= MAX_FORM_BODY_BYTES) chunks.push(chunk)
      if (read > MAX_DRAINED_BYTES) {
        req.pause()
        settle()
      }
    }
    // `finished` also settles when the client goes away mid-body, which emits neither 'end' nor 'error'.
    const stopWatching = finished(req, settle)
    req.on('data', onData)
  })
}
