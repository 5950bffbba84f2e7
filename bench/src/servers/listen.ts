import { createServer, type RequestListener, type Server } from 'node:http'

/** What a server process sends its parent once it accepts connections. */
export interface ReadyMessage {
  readonly type: 'ready'
  readonly port: number
}

/** The longest a server process lives, in ms, even if its parent never stops it. Default: 15 minutes. */
const lifetime = Number(process.env.BENCH_SERVER_LIFETIME_MS ?? 15 * 60_000)

/**
 * Listens on a free loopback port and tells the parent which. The process ends when the parent
 * goes away or after {@link lifetime}, so no benchmark server outlives its run.
 */
export function listen(handler: RequestListener | Server): Server {
  const server = typeof handler === 'function' ? createServer(handler) : handler
  server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    if (typeof address !== 'object' || address === null) throw new Error('The server has no TCP address.')
    const message: ReadyMessage = { type: 'ready', port: address.port }
    if (process.send) process.send(message)
    else console.log(`listening on http://127.0.0.1:${address.port}`)
  })
  process.on('disconnect', () => process.exit(0))
  // An orderly exit on SIGTERM, so `--cpu-prof` writes its profile.
  process.on('SIGTERM', () => process.exit(0))
  setTimeout(() => process.exit(2), lifetime).unref()
  return server
}

/** The body every protected route answers with, the same in every scenario. */
export const helloBody = { ok: true }

/** The no-auth token endpoints' answer: token-shaped JSON echoing the form's `grant_type`. */
export const noAuthTokenBody = (grantType: string | null | undefined) => ({
  access_token: 'x',
  token_type: 'Bearer',
  expires_in: 3600,
  grant_type: grantType,
})
