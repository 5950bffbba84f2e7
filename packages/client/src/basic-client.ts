import type { ApiKey } from './api-key.js'
import { authorizedInit } from './authorized-init.js'
import { httpBasic } from './basic-credentials.js'
import type { Client, ClientRequestInit } from './client.js'
import type { ClientLifetime } from './client-lifetime.js'
import { invalidOption } from './option-checks.js'
import type { RequestTarget } from './request-target.js'

/** What a Basic-mode client is built from, checked by `createClient`. */
export interface BasicClientParts {
  readonly apiKey: ApiKey
  readonly fetch: typeof globalThis.fetch
  readonly target: RequestTarget
  /** Ended by `close()`. */
  readonly lifetime: ClientLifetime
}

/** A Basic-mode {@link Client} (RFC 7617): the same header on every call, no tokens to cache. */
export function basicClient(parts: BasicClientParts): Client {
  const authorization = httpBasic(parts.apiKey.id, parts.apiKey.secret)
  // No method uses `this`, so `client.fetch` can be handed on detached, as a `fetch` implementation.
  return {
    mode: 'basic',
    fetch(input, init) {
      return basicFetch(parts, authorization, input, init)
    },
    async getToken() {
      throw invalidOption(`getToken() needs mode 'client_credentials'; in Basic mode there are no tokens.`)
    },
    async authorization() {
      parts.lifetime.assertOpen()
      return authorization
    },
    async invalidate() {},
    async revoke() {
      // Nothing to revoke: Basic sends the key itself, which only rotating or revoking the key stops.
      parts.lifetime.assertOpen()
    },
    async close() {
      parts.lifetime.close()
    },
  }
}

/** A call with the Basic header; like `fetch`, it reports every failure as a rejection, never a throw. */
function basicFetch(
  parts: BasicClientParts,
  authorization: string,
  input: string | URL | Request,
  init: ClientRequestInit | undefined,
): Promise<Response> {
  // Called unbound, never as `parts.fetch(…)`: a browser's own fetch throws when `this` is not `window`.
  const { fetch: fetchImpl, target } = parts
  try {
    parts.lifetime.assertOpen()
    if (input instanceof Request) {
      const request = target.request(input, init)
      request.headers.set('authorization', authorization)
      return fetchImpl(request)
    }
    return fetchImpl(target.url(input).href, authorizedInit(init, authorization))
  } catch (error) {
    return Promise.reject(error)
  }
}
