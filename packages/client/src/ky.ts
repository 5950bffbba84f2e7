import type { KyInstance } from 'ky'
import type { Client } from './client.js'
import { LatchkeyClientError } from './errors.js'

/** Options of {@link withLatchkey}. */
export interface KyAuthOptions {
  /** Scopes of the tokens this ky instance sends. Default: the client's `scope`. */
  readonly scope?: string | readonly string[]
}

/** Calls whose 401 was already retried once, by their per-call ky `context` object. */
const retried = new WeakSet<object>()

/**
 * A ky instance (ky 1.x) whose requests `client` authenticates: `beforeRequest` sets `Authorization`
 * from the client's token cache; on a 401, `afterResponse` drops the refused token and forces one
 * retry with `ky.retry()` (a newer token already cached by another caller is reused, or one token
 * request is shared). A second 401 is thrown by ky as an `HTTPError`. Basic mode adds the header only.
 *
 * The retry counts against ky's `retry.limit`, which must be ≥ 1. ky 1.x clones every request body
 * for retries, so send streams with `client.fetch`, which never buffers them.
 *
 * @example
 * const api = withLatchkey(ky.create({ prefixUrl: 'https://api.example.com' }), client)
 * const things = await api.get('things').json()
 */
export function withLatchkey(ky: KyInstance, client: Client, options: KyAuthOptions = {}): KyInstance {
  const scope = options.scope === undefined ? {} : { scope: options.scope }
  return ky.extend({
    hooks: {
      beforeRequest: [
        async (request, kyOptions, state) => {
          // A new call starts: it is owed one 401 retry (ky reruns this hook on every retry, #500).
          if (state.retryCount === 0) retried.delete(kyOptions.context)
          request.headers.set('authorization', await client.authorization({ ...scope, signal: request.signal }))
        },
      ],
      afterResponse: [
        async (request, kyOptions, response) => {
          if (response.status !== 401 || client.mode === 'basic' || retried.has(kyOptions.context)) return response
          const refused = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1]
          if (refused !== undefined) await client.invalidate({ ...scope, token: refused })
          if ((kyOptions.retry.limit ?? 0) < 1) {
            throw new LatchkeyClientError(
              'ERR_AUTH_RETRY_NOT_POSSIBLE',
              'The API refused the access token (401) and ky has retry.limit 0, so it cannot be retried with a new token. Set retry.limit ≥ 1.',
              { status: 401 },
            )
          }
          retried.add(kyOptions.context)
          return ky.retry({ delay: 0, code: 'LATCHKEY_TOKEN_REFUSED' })
        },
      ],
    },
  })
}
