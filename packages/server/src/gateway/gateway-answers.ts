import type { HttpAnswer } from '@latchkey/verifier'
import type { IntrospectionResponse } from '../oauth/introspection-response.js'
import type { AmbiguousPathReason } from '../routes/request-path.js'

// Every status the gateway writes itself. Refusals of credentials (401, 403, 429, 503) are the
// verifier's answers (`verifier.answerError`), written as they are.

const noStore = { 'Cache-Control': 'no-store' }

/** RFC 9457 problem details: the shape of every answer the gateway itself refuses with. */
function problem(status: number, title: string, detail: string, headers: Record<string, string> = {}): HttpAnswer {
  return {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...noStore, ...headers },
    body: JSON.stringify({ type: 'about:blank', title, status, detail }),
  }
}

/**
 * A decision endpoint's "allow": 200, with the identity headers for the upstream (none for `auth: none`),
 * which it takes as its own headers.
 * `Content-Length: 0`, or Node would frame the empty body as chunked and write its last chunk apart.
 */
export function allowed(identity: Record<string, string> = {}): HttpAnswer {
  // `identity` is made for this answer: completed in place, as copying it would cost on every allow.
  identity['Content-Length'] = '0'
  identity['Cache-Control'] = 'no-store'
  return { status: 200, headers: identity, body: '' }
}

const pathProblems: Record<AmbiguousPathReason, string> = {
  not_origin_form: 'is not an absolute path',
  invalid_percent_encoding: 'holds a "%" not followed by two hex digits',
  encoded_separator: 'holds an encoded slash or backslash, which servers split on differently',
  control_character: 'holds a control character or a space',
  backslash: 'holds a backslash, which some servers read as a slash',
  not_a_byte: 'holds a character that is not a byte',
  above_root: 'climbs above the root with ".."',
  dot_segment_parameter: 'holds a dot segment with a parameter (";"), which some servers resolve as ".."',
}

/** 400: the request's path could be read as another path upstream, so no rule can decide on it. */
export function ambiguousPath(reason: AmbiguousPathReason): HttpAnswer {
  return problem(400, 'Ambiguous request path', `The request path ${pathProblems[reason]}.`)
}

/** 400: the proxy did not send a header its contract needs: its configuration is incomplete. */
export function missingProxyHeader(name: string): HttpAnswer {
  return problem(
    400,
    'Incomplete forward-auth request',
    `The proxy did not send ${name}; see docs/gateway.md for the configuration that sets it.`,
  )
}

/** 404: not a path the gateway serves. */
export function notFound(): HttpAnswer {
  return problem(
    404,
    'Not Found',
    'The gateway serves /auth/nginx, /auth/traefik, /auth/caddy, /auth/envoy/…, the OAuth endpoints, /healthz and /readyz.',
  )
}

/** `/healthz`: the process answers. */
export function alive(): HttpAnswer {
  return { status: 200, headers: { 'Content-Type': 'application/json', ...noStore }, body: '{"status":"ok"}' }
}

/** `/readyz` when the store answered. */
export function ready(): HttpAnswer {
  return { status: 200, headers: { 'Content-Type': 'application/json', ...noStore }, body: '{"status":"ready"}' }
}

/** `/readyz` when the store did not answer in time: 503, so a load balancer sends requests elsewhere. */
export function notReady(): HttpAnswer {
  return problem(
    503,
    'Key store unavailable',
    'The key store did not answer; requests are refused with 503 meanwhile.',
    {
      'Retry-After': '5',
    },
  )
}

/**
 * nginx's `auth_request` passes only 401 and 403 on (any other status becomes its 500), and without
 * `WWW-Authenticate` on 403: a refusal answers 401 or 403, carrying the whole answer in
 * `X-Latchkey-Refusal` for the documented `error_page` location to fetch from `/auth/nginx/refusal`.
 */
export function carriedRefusal(answer: HttpAnswer, carried: string): HttpAnswer {
  const status = answer.status === 401 ? 401 : 403
  const challenge = answer.headers['WWW-Authenticate']
  return {
    status,
    headers: {
      ...noStore,
      'X-Latchkey-Refusal': carried,
      ...(status === 401 && challenge ? { 'WWW-Authenticate': challenge } : {}),
    },
    body: '',
  }
}

/** `/auth/nginx/refusal` without a refusal it can read: the config is wrong, so fail closed. */
export function unreadableRefusal(): HttpAnswer {
  return problem(403, 'Forbidden', 'The request was refused; the proxy sent no refusal the gateway can read.')
}

/** `/metrics` when the registry could not be read. */
export function metricsUnavailable(): HttpAnswer {
  return problem(500, 'Metrics unavailable', 'The metrics registry could not be read.')
}

/** The Prometheus text exposition, as prom-client writes it. */
export function metricsText(text: string, contentType: string): HttpAnswer {
  return { status: 200, headers: { 'Content-Type': contentType, ...noStore }, body: text }
}

/** RFC 7662 §2.2: an active token, described. */
export function activeToken(description: IntrospectionResponse): HttpAnswer {
  return { status: 200, headers: { 'Content-Type': 'application/json', ...noStore }, body: JSON.stringify(description) }
}

/**
 * RFC 7662 §2.2: the one answer for every token that is not active (malformed, altered, expired,
 * another issuer's, a revoked key's, no token at all), with the same bytes whatever the reason.
 */
export function inactiveToken(): HttpAnswer {
  return { status: 200, headers: { 'Content-Type': 'application/json', ...noStore }, body: '{"active":false}' }
}

/** `answer`, the connection closed after it: the request's body passed the cap and was not all read. */
export function closingConnection(answer: HttpAnswer): HttpAnswer {
  return { ...answer, headers: { ...answer.headers, Connection: 'close' } }
}
