/**
 * The README walk-through from the client side, with `@latchkey/client`'s runtime-neutral entry
 * only (fetch, no file or environment access), so it runs as it is on Node, Bun, Deno, workerd and in
 * browsers: HTTP Basic, client credentials, the two refresh paths and the 401 retry, each step
 * reported with what the API answered and what the client did.
 */
import { createClient, isLatchkeyClientError } from '@latchkey/client'
import { ClientEvents, type ReportedEvents } from './client-events.js'
import { SharedTokenStore } from './shared-token-store.js'
import { ShiftableClock } from './shiftable-clock.js'

/** Options of {@link runWalkthrough}. */
export interface WalkthroughOptions {
  /** Base URL of the example API, which serves `/api/test` and `/oauth/token`. */
  readonly apiUrl: string
  /** Id of an API key with scopes `read write`. */
  readonly keyId: string
  /** Its secret. */
  readonly secret: string
  /**
   * An access token the API no longer accepts, such as one issued to a key revoked since (step 6 of
   * the main README's walk-through). Left in a shared token store, it makes the API answer 401.
   */
  readonly refusedToken: string
}

/** The environment variables (Node, Bun, Deno) or Worker bindings that hold the {@link WalkthroughOptions}. */
export const WALKTHROUGH_VARIABLES = {
  apiUrl: 'LATCHKEY_API_URL',
  keyId: 'LATCHKEY_API_KEY_ID',
  secret: 'LATCHKEY_API_KEY_SECRET',
  refusedToken: 'LATCHKEY_REFUSED_TOKEN',
} as const

/** The {@link WalkthroughOptions} in `variables` ({@link WALKTHROUGH_VARIABLES}); throws naming a missing one. */
export function walkthroughOptions(variables: Readonly<Record<string, string | undefined>>): WalkthroughOptions {
  const read = (option: keyof WalkthroughOptions): string => {
    const value = variables[WALKTHROUGH_VARIABLES[option]]
    if (!value) throw new Error(`Set ${WALKTHROUGH_VARIABLES[option]}: the walk-through needs its ${option}.`)
    return value
  }
  return { apiUrl: read('apiUrl'), keyId: read('keyId'), secret: read('secret'), refusedToken: read('refusedToken') }
}

/** The steps, in order. */
export type StepName = 'basic' | 'bearer-get' | 'bearer-post' | 'refresh-stale' | 'refresh-expired' | 'retry-401'

/** What one step sent, what the API answered and what the client did. Never a secret or a token. */
export interface StepOutcome extends ReportedEvents {
  readonly step: StepName
  /** The API call, e.g. `GET /api/test`. */
  readonly request: string
  /** The API's answer; `undefined` when the call threw. */
  readonly status: number | undefined
  /** Its body, parsed when it is JSON. */
  readonly body: unknown
  /** Whether the client held another access token after the step than before it. */
  readonly newToken: boolean
  /** `CODE: message` of what the call threw. */
  readonly error: string | undefined
  /** Whether the step went as the walk-through describes. */
  readonly ok: boolean
}

/** Every step's outcome. */
export interface WalkthroughReport {
  /** Whether every step went as described. */
  readonly ok: boolean
  readonly steps: readonly StepOutcome[]
}

/** Margins the refresh steps are timed by: the client's defaults, set so that the walk-through knows them. */
const expirySkew = 30_000
const refreshWindow = 60_000

/** Runs the walk-through against the API at `options.apiUrl`; resolves even when a step fails. */
export async function runWalkthrough(options: WalkthroughOptions): Promise<WalkthroughReport> {
  const apiKey = { id: options.keyId, secret: options.secret }
  const baseUrl = options.apiUrl
  const steps: StepOutcome[] = []
  const judge = (observed: Observed, passes: (observed: Observed) => boolean): void => {
    steps.push({ ...observed, ok: observed.error === undefined && passes(observed) })
  }
  const isKey = (body: unknown, method: string): boolean =>
    fieldOf(body, 'keyId') === options.keyId && fieldOf(body, 'method') === method
  const same = (actual: readonly string[], expected: readonly string[]): boolean => actual.join() === expected.join()

  // 1. HTTP Basic: the key id and secret on every request, no token endpoint.
  const basic = createClient({ mode: 'basic', apiKey, baseUrl })
  judge(
    await observe('basic', 'GET', () => basic.fetch('/api/test')),
    (o) => o.status === 200 && isKey(o.body, 'basic'),
  )

  // 2. Client credentials: one token request, then the cached Bearer token for a GET and a POST.
  const clock = new ShiftableClock()
  const events = new ClientEvents()
  const client = createClient({
    apiKey,
    baseUrl,
    scope: 'read write',
    clock,
    hooks: events.hooks,
    expirySkew,
    refreshWindow,
  })
  const watch = { events, getToken: () => client.getToken() }
  const firstSentAt = clock.now()
  judge(
    await observe('bearer-get', 'GET', () => client.fetch('/api/test'), { ...watch, tokenBefore: undefined }),
    (o) => o.status === 200 && isKey(o.body, 'bearer') && same(o.tokenRequests, ['initial']),
  )
  const post = () =>
    client.fetch('/api/test', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    })
  const firstToken = await client.getToken()
  judge(
    await observe('bearer-post', 'POST', post, { ...watch, tokenBefore: firstToken }),
    (o) => o.status === 200 && arrayField(o.body, 'scopes').includes('write') && same(o.tokenRequests, []),
  )

  // 3. Refresh. The clock jumps ahead, as if the process had run for most of the token's lifetime:
  // in the refresh window the cached token is still sent while one request fetches the next in the
  // background; past the expiry margin, the call waits for a new token.
  const lifetime = (events.lifetime ?? 0) * 1000
  const skew = Math.min(expirySkew, lifetime / 4)
  const window = Math.min(refreshWindow, lifetime / 2)
  clock.advanceTo(firstSentAt + lifetime - skew - window / 2)
  const secondSentAt = clock.now()
  const refreshed = events.nextTokenCached()
  judge(
    await observe('refresh-stale', 'GET', () => client.fetch('/api/test'), {
      ...watch,
      tokenBefore: firstToken,
      settled: refreshed,
    }),
    (o) => o.status === 200 && same(o.cache, ['stale']) && same(o.tokenRequests, ['stale']) && o.newToken,
  )
  const secondToken = await client.getToken()
  clock.advanceTo(secondSentAt + lifetime - skew / 2)
  judge(
    await observe('refresh-expired', 'GET', () => client.fetch('/api/test'), { ...watch, tokenBefore: secondToken }),
    (o) => o.status === 200 && same(o.cache, ['miss']) && same(o.tokenRequests, ['expired']) && o.newToken,
  )

  // 4. The 401 retry. Two instances share a token store; the first stored its token, then another
  // wrote over it one the API no longer accepts. The second instance adopts it, the API answers 401,
  // and the client drops it, gets a new token and sends the request once more.
  const store = new SharedTokenStore()
  const first = createClient({ apiKey, baseUrl, scope: 'read write', tokenStore: store })
  const secondEvents = new ClientEvents()
  const second = createClient({ apiKey, baseUrl, scope: 'read write', tokenStore: store, hooks: secondEvents.hooks })
  const afterRefusal = async (): Promise<Response> => {
    await first.getToken()
    store.replaceAccessTokens(options.refusedToken)
    return second.fetch('/api/test')
  }
  judge(
    await observe('retry-401', 'GET', afterRefusal, {
      events: secondEvents,
      getToken: () => second.getToken(),
      tokenBefore: options.refusedToken,
    }),
    (o) =>
      o.status === 200 && isKey(o.body, 'bearer') && o.authRetries === 1 && o.cache.includes('store') && o.newToken,
  )

  await Promise.all([basic, client, first, second].map((each) => each.close()))
  return { ok: steps.every((step) => step.ok), steps }
}

/** A step's outcome before it is judged. */
type Observed = Omit<StepOutcome, 'ok'>

/** How to see what the client did in a step. */
interface Watch {
  readonly events: ClientEvents
  readonly getToken: () => Promise<string>
  /** The token the client held before the step (`undefined`: none). */
  readonly tokenBefore: string | undefined
  /** Awaited after the call: work the call started in the background. */
  readonly settled?: Promise<unknown>
}

async function observe(
  step: StepName,
  method: string,
  call: () => Promise<Response>,
  watch?: Watch,
): Promise<Observed> {
  // Its rejection is read below, or not at all when the call throws first.
  watch?.settled?.catch(() => undefined)
  watch?.events.take()
  let status: number | undefined
  let body: unknown
  let error: string | undefined
  try {
    const response = await call()
    status = response.status
    body = await bodyOf(response)
    await watch?.settled
  } catch (thrown) {
    error = isLatchkeyClientError(thrown) ? `${thrown.code}: ${thrown.message}` : String(thrown)
  }
  const reported = watch?.events.take() ?? { tokenRequests: [], cache: [], authRetries: 0 }
  const tokenAfter = watch && error === undefined ? await watch.getToken().catch(() => undefined) : undefined
  const newToken = tokenAfter !== undefined && tokenAfter !== watch?.tokenBefore
  return { step, request: `${method} /api/test`, status, body, ...reported, newToken, error }
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text()
  if (!response.headers.get('content-type')?.includes('json')) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function fieldOf(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined
}

function arrayField(body: unknown, name: string): readonly unknown[] {
  const value = fieldOf(body, name)
  return Array.isArray(value) ? value : []
}
