import { invalidRequest } from '../refusals.js'

/** Largest token-request body read, in bytes. A client-credentials request needs a few hundred. */
export const MAX_FORM_BODY_BYTES = 8192
/** Most parameters accepted in a token request. */
export const MAX_FORM_PARAMETERS = 32

/**
 * Reads an `application/x-www-form-urlencoded` body (RFC 6749 §3.2) within the limits above and
 * refuses parameters given more than once (RFC 6749 §3.2: "MUST NOT be included more than once").
 */
export async function readFormBody(request: Request): Promise<Map<string, string>> {
  checkFormHeaders(request.headers.get('content-type'), request.headers.get('content-length'))
  return parseFormBody(await readLimited(request))
}

/**
 * What the token endpoint checks before reading a form body: the media type, then the declared length.
 * Throws `ERR_INVALID_REQUEST`.
 *
 * @param what The request, as messages name it. Default: `'token request'`.
 */
export function checkFormHeaders(
  contentType: string | null | undefined,
  contentLength: string | null | undefined,
  what = 'token request',
): void {
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase()
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw invalidRequest(`The ${what} body must be application/x-www-form-urlencoded.`)
  }
  if (Number(contentLength ?? 0) > MAX_FORM_BODY_BYTES) throw invalidRequest(`The ${what} body is too large.`)
}

/**
 * The parameters of a form body already read, within the limits above; a body given as text was
 * decoded by whoever read it. Throws `ERR_INVALID_REQUEST`.
 *
 * @param what The request, as messages name it. Default: `'token request'`.
 */
export function parseFormBody(body: Uint8Array | string, what = 'token request'): Map<string, string> {
  let text: string
  if (typeof body === 'string') {
    text = body
    if (encoder.encode(text).byteLength > MAX_FORM_BODY_BYTES) throw invalidRequest(`The ${what} body is too large.`)
  } else {
    if (body.byteLength > MAX_FORM_BODY_BYTES) throw invalidRequest(`The ${what} body is too large.`)
    try {
      text = decoder.decode(body)
    } catch {
      throw invalidRequest(`The ${what} body is not valid UTF-8.`)
    }
  }
  const parameters = new Map<string, string>()
  let count = 0
  for (const [name, value] of new URLSearchParams(text)) {
    if (++count > MAX_FORM_PARAMETERS) throw invalidRequest(`The ${what} has too many parameters.`)
    // RFC 6749 §3.2: "Parameters sent without a value MUST be treated as if they were omitted."
    if (value === '') continue
    if (parameters.has(name)) throw invalidRequest(`The parameter ${safeName(name)} is given more than once.`)
    parameters.set(name, value)
  }
  return parameters
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

async function readLimited(request: Request): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > MAX_FORM_BODY_BYTES) {
      await reader.cancel()
      throw invalidRequest('The token request body is too large.')
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/** Parameter names are attacker-chosen: only echo short, plain ones. */
function safeName(name: string): string {
  return /^[a-z_]{1,32}$/.test(name) ? name : 'a parameter'
}
