import type { HttpAnswer } from '@latchkey/verifier'

/** The answer headers a carried refusal may hold: those the verifier's refusals have. */
const carriedHeaders = [
  'Content-Type',
  'Cache-Control',
  'WWW-Authenticate',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'RateLimit',
]
/** The refusal statuses the verifier and the gateway answer with. */
const carriedStatuses = new Set([400, 401, 403, 429, 503])
/** A refusal's body is a short JSON error; nginx reads upstream headers into 4–8 KiB buffers. */
const maxBody = 2048

/** A refusal as one header value (base64url of its JSON), for nginx to hand back through a variable. */
export function carryRefusal({ status, headers, body }: HttpAnswer): string {
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => carriedHeaders.includes(name)))
  return Buffer.from(JSON.stringify({ status, headers: kept, body: body.slice(0, maxBody) })).toString('base64url')
}

/**
 * The refusal {@link carryRefusal} wrote, or `undefined` for anything else. Only refusal statuses and
 * the refusal headers come out, so a client that calls `/auth/nginx/refusal` itself can make it echo
 * no more than a refusal back to itself.
 */
export function readCarriedRefusal(value: string | undefined): HttpAnswer | undefined {
  if (value === undefined || value.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  const { status, headers, body } = (parsed ?? {}) as { status?: unknown; headers?: unknown; body?: unknown }
  if (typeof status !== 'number' || !carriedStatuses.has(status) || typeof body !== 'string' || body.length > maxBody) {
    return undefined
  }
  if (typeof headers !== 'object' || headers === null) return undefined
  const kept: Record<string, string> = {}
  for (const [name, text] of Object.entries(headers)) {
    if (!carriedHeaders.includes(name) || typeof text !== 'string' || !/^[\t\x20-\x7e]*$/.test(text)) return undefined
    kept[name] = text
  }
  return { status, headers: kept, body }
}
