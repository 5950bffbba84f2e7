import type { IncomingMessage } from 'node:http'
import { type AuthenticationResult, LatchkeyError, MAX_AUTHORIZATION_LENGTH, type Verifier } from '@latchkey/verifier'

/**
 * Authenticates the client of one of the gateway's OAuth endpoints by its own API key, as the
 * verifier's token endpoint accepts one (RFC 6749 §2.3.1): HTTP Basic, or `client_id` and
 * `client_secret` in the form body, never both; a `client_id` beside Basic must name the same key.
 *
 * The check itself is the verifier's (`authenticate` with Basic credentials), so the same refusals
 * and the same throttling by the client's address apply: the address of the connection, or the one a
 * trusted proxy wrote in its forwarding header. Body credentials are handed over as the Basic
 * credentials they stand for. Unlike the token endpoint, Basic credentials are read as they are, not
 * also form-decoded: Latchkey's ids and secrets read the same either way.
 */
export function authenticateClient(
  verifier: Verifier,
  req: IncomingMessage,
  form: ReadonlyMap<string, string>,
): Promise<AuthenticationResult> {
  const lines = req.headersDistinct.authorization ?? []
  if (lines.length > 1) return refused(invalidRequest('The request has more than one Authorization header.'))
  const bodyId = form.get('client_id')
  const bodySecret = form.get('client_secret')
  const header = lines[0]
  let authorization: string
  if (header !== undefined) {
    // RFC 6749 §2.3.1 names Basic; a Bearer token is not a client's credentials here.
    if (header.split(' ', 1)[0]?.toLowerCase() !== 'basic') return refused(missingClient())
    if (bodySecret !== undefined) {
      return refused(invalidRequest('Authenticate the client with Basic or with client_secret in the body, not both.'))
    }
    authorization = header
  } else {
    if (bodyId === undefined || bodySecret === undefined) return refused(missingClient())
    // RFC 7617 §2: a user-id holds no colon, so no key id does; Basic would split such an id elsewhere.
    if (bodyId.includes(':')) return refused(invalidRequest('The client_id parameter cannot hold a colon.'))
    authorization = `Basic ${Buffer.from(`${bodyId}:${bodySecret}`, 'utf8').toString('base64')}`
    if (authorization.length > MAX_AUTHORIZATION_LENGTH) {
      return refused(invalidRequest('The client_id and client_secret parameters are too long.'))
    }
  }
  const connection = { clientAddress: req.socket.remoteAddress }
  return verifier
    .authenticate({ authorization: [authorization], headers: req.headers }, connection)
    .then((result) =>
      result.ok && bodyId !== undefined && bodyId !== result.principal.keyId
        ? { ok: false, error: invalidRequest('The client_id parameter does not match the Basic credentials.') }
        : result,
    )
}

function refused(error: LatchkeyError): Promise<AuthenticationResult> {
  return Promise.resolve({ ok: false, error })
}

function invalidRequest(message: string): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_REQUEST', message)
}

/** At an OAuth endpoint the verifier answers this `invalid_client`, with the Basic challenge (RFC 6749 §5.2). */
function missingClient(): LatchkeyError {
  return new LatchkeyError('ERR_CREDENTIALS_MISSING', 'The request carries no client credentials.')
}
