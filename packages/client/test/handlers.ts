import {
  type AuthenticationResult,
  createVerifier,
  type HttpAnswer,
  MemoryKeyStore,
  toResponse,
  type Verifier,
} from '@latchkey/verifier'
import { createKeyManager, type KeyManager } from '@latchkey/verifier/manage'
import { HttpResponse, http } from 'msw'
import { type SetupServerApi, setupServer } from 'msw/node'

/** The API the client talks to in MSW scenarios: its issuer, token endpoint and protected route. */
export const API = 'https://api.test'
export const TOKEN_URL = `${API}/oauth/token`
export const REVOCATION_URL = `${API}/oauth/revoke`
export const RESOURCE_URL = `${API}/api/test`

/** Requests the MSW server saw, as the client sent them. */
export interface Traffic {
  readonly token: Request[]
  readonly revocation: Request[]
  readonly api: Request[]
}

export interface Scenario {
  readonly server: SetupServerApi
  readonly verifier: Verifier
  /** The verifier's key store; make it fail to see how the client copes. */
  readonly store: MemoryKeyStore
  readonly manager: KeyManager
  readonly traffic: Traffic
  /** The verifier's clock, in ms since the epoch; move it to expire tokens server-side. */
  serverTime: number
  /** Creates an account and a key with `scopes`. */
  createKey(scopes?: readonly string[]): Promise<{ id: string; secret: string }>
  reset(): void
}

/**
 * An MSW server that routes the client's requests to a real in-process `@latchkey/verifier`:
 * `POST /oauth/token` is its token endpoint, `POST /oauth/revoke` its revocation endpoint (RFC 7009),
 * `GET /api/test` needs any valid credentials and `POST /api/test` needs scope `write`. Unhandled
 * requests are errors.
 */
export function createScenario(): Scenario {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const traffic: Traffic = { token: [], revocation: [], api: [] }
  const scenario: Scenario = {
    server: undefined as unknown as SetupServerApi,
    verifier: undefined as unknown as Verifier,
    store,
    manager,
    traffic,
    serverTime: Date.now(),
    async createKey(scopes = ['read', 'write']) {
      const account = await manager.createAccount({ name: 'Test account' })
      const key = await manager.createApiKey({ accountId: account.id, scopes })
      return { id: key.id, secret: key.secret }
    },
    reset() {
      traffic.token.length = 0
      traffic.revocation.length = 0
      traffic.api.length = 0
    },
  }
  const verifier = createVerifier({ store, issuer: API, now: () => scenario.serverTime })
  const protect = async (request: Request, scopes: readonly string[]): Promise<Response> => {
    traffic.api.push(request.clone())
    const result: AuthenticationResult = await verifier.authenticate(request)
    if (!result.ok) return toResponse(verifier.answerError(result.error))
    const missing = verifier.checkScopes(result.principal, scopes)
    if (missing) return toResponse(verifier.answerError(missing))
    return HttpResponse.json({ keyId: result.principal.keyId, method: result.principal.method })
  }
  const server = setupServer(
    http.post(TOKEN_URL, async ({ request }) => {
      traffic.token.push(request.clone())
      return toResponse((await verifier.answer(request)) as HttpAnswer)
    }),
    http.post(REVOCATION_URL, async ({ request }) => {
      traffic.revocation.push(request.clone())
      return toResponse((await verifier.answer(request)) as HttpAnswer)
    }),
    http.get(RESOURCE_URL, ({ request }) => protect(request, [])),
    http.post(RESOURCE_URL, ({ request }) => protect(request, ['write'])),
  )
  Object.assign(scenario, { server, verifier })
  return scenario
}

/** A token handler that counts calls and answers `respond()` instead of the verifier. */
export function tokenHandler(traffic: Traffic, respond: (request: Request) => Response | Promise<Response>) {
  return http.post(TOKEN_URL, ({ request }) => {
    traffic.token.push(request.clone())
    return respond(request)
  })
}

/** A revocation handler that records calls and answers `respond()` instead of the verifier. */
export function revocationHandler(traffic: Traffic, respond: (request: Request) => Response | Promise<Response>) {
  return http.post(REVOCATION_URL, ({ request }) => {
    traffic.revocation.push(request.clone())
    return respond(request)
  })
}

/** A successful token response with `fields` merged in. */
export function tokenResponse(fields: Record<string, unknown> = {}, init: ResponseInit = {}): Response {
  return HttpResponse.json({ access_token: 'opaque-token-1', token_type: 'Bearer', expires_in: 3600, ...fields }, init)
}
