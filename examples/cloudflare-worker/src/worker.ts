/**
 * A Cloudflare Worker that calls a Latchkey-protected API as a consumer: `GET /` answers with the
 * API's `GET /api/test`, called with OAuth2 client credentials and a Bearer token that the
 * requests an isolate serves share (one client per isolate, see api-client.ts). Web APIs only, so it runs without the `nodejs_compat` flag.
 */
import { isLatchkeyClientError } from '@latchkey/client'
import { type ApiBindings, apiClientFor } from './api-client.js'
import type { ExportedHandler } from './worker-types.js'

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname !== '/') return Response.json({ error: 'not_found' }, { status: 404 })
    if (request.method !== 'GET') {
      return Response.json({ error: 'method_not_allowed' }, { status: 405, headers: { allow: 'GET' } })
    }
    try {
      const upstream = await apiClientFor(env).fetch('/api/test')
      const contentType = upstream.headers.get('content-type') ?? 'application/octet-stream'
      return new Response(upstream.body, { status: upstream.status, headers: { 'content-type': contentType } })
    } catch (error) {
      // The token endpoint refused the key or could not be reached. The client's messages never hold
      // the secret, so they can be shown; anything else is a bug and goes to the runtime's 500.
      if (!isLatchkeyClientError(error)) throw error
      return Response.json({ error: error.code, message: error.message }, { status: 502 })
    }
  },
} satisfies ExportedHandler<ApiBindings>
