/**
 * A module Worker for workerd.test.ts: the walk-through API (`GET /api/test`, the token endpoint)
 * on the verifier core and its Fetch adapter, over a `MemoryKeyStore` holding one account and one
 * key with scopes `read write`, made on the first request (workerd refuses random values at global scope). `GET /seeded-key` answers that key.
 */
import { oauthRoutes, withAuth } from '../src/adapters/fetch.js'
import { createVerifier, MemoryKeyStore, type Principal } from '../src/index.js'
import { createKeyManager } from '../src/manage/index.js'

interface SeededApi {
  readonly handle: (request: Request) => Promise<Response>
  readonly key: { readonly id: string; readonly secret: string }
}

let api: Promise<SeededApi> | undefined

export default {
  async fetch(request: Request): Promise<Response> {
    api ??= seededApi()
    const { handle, key } = await api
    if (new URL(request.url).pathname === '/seeded-key') return Response.json(key)
    return handle(request)
  },
}

async function seededApi(): Promise<SeededApi> {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read', 'write'] })
  const verifier = createVerifier({ store, issuer: 'http://localhost:3000', scopesSupported: ['read', 'write'] })
  const hello = withAuth(
    verifier,
    (_request, auth: Principal) =>
      // The body and content type Express's res.json gives, so the answers compare with answers.json.
      new Response(
        JSON.stringify({ message: 'Hello from a Latchkey-secured API.', keyId: auth.keyId, method: auth.method }),
        { headers: { 'content-type': 'application/json; charset=utf-8' } },
      ),
  )
  return { handle: oauthRoutes(verifier, hello), key: { id: key.id, secret: key.secret } }
}
