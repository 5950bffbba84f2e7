import { type Client, createClient } from '@latchkey/client'

/** The Worker's bindings (see wrangler.toml): a var naming the API, and two secrets holding its key. */
export interface ApiBindings {
  /** Base URL of the Latchkey-protected API; its token endpoint is `<url>/oauth/token`. */
  readonly LATCHKEY_API_URL: string
  /** The API key id: `wrangler secret put LATCHKEY_API_KEY_ID`. */
  readonly LATCHKEY_API_KEY_ID: string
  /** The API key secret: `wrangler secret put LATCHKEY_API_KEY_SECRET`. */
  readonly LATCHKEY_API_KEY_SECRET: string
}

/**
 * The client, in module scope: it outlives a request, so every request an isolate serves uses the
 * token the first one got (one token request per isolate and token lifetime, not one per request).
 * Made in the first request, as Workers give `env` only to handlers, and made again if the bindings
 * change, so that a key rotated with `wrangler secret put` is used at once.
 */
let kept: { readonly bindings: string; readonly client: Client } | undefined

/** The isolate's client for `env`'s API and key. */
export function apiClientFor(env: ApiBindings): Client {
  const bindings = JSON.stringify([env.LATCHKEY_API_URL, env.LATCHKEY_API_KEY_ID, env.LATCHKEY_API_KEY_SECRET])
  if (kept?.bindings !== bindings) {
    const client = createClient({
      baseUrl: env.LATCHKEY_API_URL,
      apiKey: { id: env.LATCHKEY_API_KEY_ID, secret: env.LATCHKEY_API_KEY_SECRET },
    })
    kept = { bindings, client }
  }
  return kept.client
}
