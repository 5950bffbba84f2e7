import type { HttpAnswer } from '@latchkey/verifier'

/** How a decision endpoint answered, as the `outcome` label says it. */
export type DecisionOutcome = 'allowed' | 'public' | 'refused' | 'throttled' | 'bad_request' | 'unavailable'

/** One answer of a decision endpoint, as metrics count it and the access log writes it. Never a credential. */
export interface Decision {
  /** The proxy contract: `nginx`, `traefik`, `caddy` or `envoy`. */
  readonly contract: string
  /** The status the client gets: for nginx, the one its `error_page` shows, not the 401 or 403 it was carried in. */
  readonly status: number
  readonly outcome: DecisionOutcome
  /** The key the request authenticated with, when it was allowed with one. */
  readonly keyId?: string
  /** `basic` or `bearer`, when it was allowed with a key. */
  readonly authMethod?: string
  /** Milliseconds, from the decision request to its answer. */
  readonly durationMs: number
}

/** The {@link Decision} of `answer`, which a decision endpoint of `contract` gave in `durationMs`. */
export function decisionOf(contract: string, answer: HttpAnswer, durationMs: number): Decision {
  const status = carriedStatus(answer) ?? answer.status
  const keyId = answer.headers['X-Latchkey-Key-Id']
  const authMethod = answer.headers['X-Latchkey-Auth-Method']
  // Built without spreads: this runs on every decision.
  const decision = {
    contract,
    status,
    outcome: outcomeOf(status, keyId),
  } as { -readonly [field in keyof Decision]: Decision[field] }
  if (keyId !== undefined) decision.keyId = keyId
  if (authMethod !== undefined) decision.authMethod = authMethod
  decision.durationMs = durationMs
  return decision
}

function outcomeOf(status: number, keyId: string | undefined): DecisionOutcome {
  if (status === 200) return keyId === undefined ? 'public' : 'allowed'
  if (status === 429) return 'throttled'
  if (status === 400) return 'bad_request'
  if (status >= 500) return 'unavailable'
  return 'refused'
}

/** The status of a refusal carried to nginx's `error_page` (see `nginx-refusal.ts`), read through its header. */
function carriedStatus(answer: HttpAnswer): number | undefined {
  const carried = answer.headers['X-Latchkey-Refusal']
  if (carried === undefined) return undefined
  const match = /"status":(\d{3})/.exec(Buffer.from(carried, 'base64url').toString('utf8'))
  return match ? Number(match[1]) : undefined
}
