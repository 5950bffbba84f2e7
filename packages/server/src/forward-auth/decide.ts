import type { IncomingMessage } from 'node:http'
import type { AuthenticationResult, HttpAnswer, Verifier } from '@latchkey/verifier'
import { authorizationOf } from '@latchkey/verifier/node'
import { allowed, ambiguousPath, carriedRefusal, missingProxyHeader } from '../gateway/gateway-answers.js'
import { carryRefusal } from '../gateway/nginx-refusal.js'
import { normalizeRequestPath } from '../routes/request-path.js'
import { type RouteRule, routeAuthFor } from '../routes/route-rules.js'
import { IDENTITY_HEADERS, identityHeaders } from './identity-headers.js'
import { envoyContract, type ProxyContract } from './proxy-contract.js'

/**
 * The answer of a decision endpoint to a proxy that asks whether `req`'s original request may go on:
 * its path normalised once (an ambiguous one refused with 400), the first matching rule applied, the
 * credentials authenticated as the embedded verifier does (the same refusals, throttling by the
 * client's address from `X-Forwarded-For`, revocation, usage limits), and 200 with the identity
 * headers (and a limited key's RateLimit fields), or the refusal in the form the proxy can pass on.
 */
export function decide(
  verifier: Verifier,
  rules: readonly RouteRule[],
  contract: ProxyContract,
  req: IncomingMessage,
  url: string,
): HttpAnswer | Promise<HttpAnswer> {
  const refuse = (answer: HttpAnswer): HttpAnswer =>
    contract.passesAnswers ? answer : carriedRefusal(answer, carryRefusal(answer))
  const original = contract.original(req, url)
  if ('missing' in original) return refuse(missingProxyHeader(original.missing))
  const path = normalizeRequestPath(original.target)
  if (!path.ok) return refuse(ambiguousPath(path.reason))
  const auth = routeAuthFor(rules, original.method, path.path)
  if (auth.kind === 'none') return allowed(contract === envoyContract ? envoyRemovals({}) : {})
  const decided = (result: AuthenticationResult): HttpAnswer => {
    if (!result.ok) return refuse(verifier.answerError(result.error))
    const denied = verifier.checkScopes(result.principal, auth.scopes)
    if (denied) return refuse(verifier.answerError(denied))
    const identity = identityHeaders(result.principal)
    // A limited key's RateLimit fields, for the proxy to pass on to the client (docs/gateway.md).
    if (result.headers) Object.assign(identity, result.headers)
    return allowed(contract === envoyContract ? envoyRemovals(identity) : identity)
  }
  const input = {
    authorization: authorizationOf(req),
    // The original target: a token in its query is refused, as the embedded verifier refuses it.
    url: original.target,
    headers: req.headers,
  }
  const result = verifier.authenticateNow(input, { clientAddress: req.socket.remoteAddress })
  return result instanceof Promise ? result.then(decided) : decided(result)
}

/**
 * `identity` with Envoy's `x-envoy-auth-headers-to-remove` (ext_authz HTTP service), which names the
 * request headers Envoy removes before it goes upstream: the credential, and every identity header
 * the answer does not set, so that a copy the client forged never reaches the upstream (Envoy only
 * overwrites the headers an answer sends). On every allow, `auth: none` routes included.
 */
function envoyRemovals(identity: Record<string, string>): Record<string, string> {
  const absent = Object.values(IDENTITY_HEADERS).filter((name) => identity[name] === undefined)
  const removed = ['authorization', ...absent.map((name) => name.toLowerCase())]
  return { ...identity, 'x-envoy-auth-headers-to-remove': removed.join(',') }
}
