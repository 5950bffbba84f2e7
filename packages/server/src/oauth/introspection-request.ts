import type { IncomingMessage } from 'node:http'
import { LatchkeyError } from '@latchkey/verifier'
import { type FormBody, readFormBody } from './form-body.js'

/**
 * The parameters of an introspection request (RFC 7662 §2.1: `POST`, an
 * `application/x-www-form-urlencoded` body), or why it is refused: another method
 * (`ERR_METHOD_NOT_ALLOWED`, `Allow: POST`), parameters in the URL, or a body the token endpoint
 * would refuse (`ERR_INVALID_REQUEST`).
 */
export function readIntrospectionRequest(req: IncomingMessage, url: string): Promise<FormBody> | FormBody {
  if (req.method !== 'POST') {
    const error = new LatchkeyError('ERR_METHOD_NOT_ALLOWED', 'The introspection endpoint accepts only POST.', {
      allow: ['POST'],
    })
    return { ok: false, error, abandoned: false }
  }
  if (url.includes('?') && new URL(url, 'http://localhost').searchParams.size > 0) {
    // As at the token endpoint (RFC 6749 §3.2): a token in a URL ends up in logs.
    const error = new LatchkeyError('ERR_INVALID_REQUEST', 'Send introspection parameters in the body, not in the URL.')
    return { ok: false, error, abandoned: false }
  }
  return readFormBody(req, 'introspection request')
}
