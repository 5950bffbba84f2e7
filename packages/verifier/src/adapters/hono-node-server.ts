import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import type { AuthenticationInput } from '../index.js'
import { authorizationOf } from './node-bridge/authorization-lines.js'

/** What `@hono/node-server` puts in `c.env` (or `c.env.server`), as its own `getConnInfo` reads it. */
interface NodeBindings {
  readonly incoming?: IncomingMessage
  readonly server?: NodeBindings
}
/** The Node request behind a request served by `@hono/node-server`, found as its `getConnInfo` finds it. */
function incomingOf(c: Context): IncomingMessage | undefined {
  const env = c.env as NodeBindings | undefined
  return (env?.server ?? env)?.incoming
}

/** The peer address of a request served by `@hono/node-server`. */
export const nodeServerAddress = (c: Context): string | undefined => incomingOf(c)?.socket?.remoteAddress

/**
 * What the core authenticates of a request served by `@hono/node-server`, read from its Node request
 * as the `node:http` adapter reads one (the `Authorization` lines from `rawHeaders`): no `Headers` of
 * the Web `Request` built for it. `undefined` on other runtimes.
 */
export function nodeServerInput(c: Context): AuthenticationInput | undefined {
  const incoming = incomingOf(c)
  if (!incoming?.rawHeaders) return undefined
  return { authorization: authorizationOf(incoming), url: incoming.url ?? '/', headers: incoming.headers }
}
