import type { IncomingMessage } from 'node:http'
import { type HttpAnswer, LatchkeyError, type Verifier } from '@latchkey/verifier'
import { authorizationOf } from '@latchkey/verifier/node'
import { closingConnection } from '../gateway/gateway-answers.js'
import { introspectToken } from './introspected-token.js'
import { readIntrospectionRequest } from './introspection-request.js'

/** Where the gateway serves token introspection. */
export const INTROSPECTION_PATH = '/oauth/introspect'

/** The scope an API key needs to introspect tokens: a resource server's key, not a client's. */
export const INTROSPECTION_SCOPE = 'latchkey:introspect'

/**
 * The answer to a request to the token introspection endpoint (RFC 7662), for resource servers that
 * cannot verify JWTs themselves: the caller authenticates with its own API key holding
 * {@link INTROSPECTION_SCOPE} (§2.1: the endpoint "MUST" require authorization, so that it is no
 * oracle for token scanning), and gets the token's state (§2.2). Every refusal is the verifier's
 * answer at an OAuth endpoint, as the token endpoint gives it. Never rejects for bad input.
 */
export async function introspect(verifier: Verifier, req: IncomingMessage, url: string): Promise<HttpAnswer> {
  const refuse = (error: unknown) => verifier.answerError(error, 'token')
  const request = await readIntrospectionRequest(req, url)
  if (!request.ok) return request.abandoned ? closingConnection(refuse(request.error)) : refuse(request.error)
  // `createGatewayListener` refuses a verifier without it.
  if (!verifier.authenticateClient) return refuse(new LatchkeyError('ERR_INTERNAL', 'No client authentication.'))
  const client = await verifier.authenticateClient(
    { authorization: authorizationOf(req), form: request.form, headers: req.headers },
    { clientAddress: req.socket.remoteAddress },
  )
  if (!client.ok) return refuse(client.error)
  const denied = verifier.checkScopes(client.principal, [INTROSPECTION_SCOPE])
  if (denied) return refuse(denied)
  // RFC 7662 §2.1: `token_type_hint` is a hint the server may ignore; every token here is an access token.
  const token = request.form.get('token')
  if (token === undefined) return refuse(new LatchkeyError('ERR_INVALID_REQUEST', 'The token parameter is missing.'))
  return introspectToken(verifier, token)
}
