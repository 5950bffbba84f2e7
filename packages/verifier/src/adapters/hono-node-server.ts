import type { Context } from 'hono'

/** What `@hono/node-server` puts in `c.env` (or `c.env.server`), as its own `getConnInfo` reads it. */
interface NodeBindings {
  readonly incoming?: { readonly socket?: { readonly remoteAddress?: string } }
  readonly server?: NodeBindings
}
/** The peer address of a request served by `@hono/node-server`, read as its `getConnInfo` does. */
export const nodeServerAddress = (c: Context): string | undefined => {
  const env = c.env as NodeBindings | undefined
  return (env?.server ?? env)?.incoming?.socket?.remoteAddress
}
