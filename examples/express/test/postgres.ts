import { connect, createServer, type Socket } from 'node:net'
import { openPostgresKeyStore, type PostgresKeyStore } from '../../../packages/store-postgres/src/index.js'
import {
  openSession,
  type PostgresCluster,
  type SqlSession,
  startPostgres,
} from '../../../packages/store-postgres/test/postgres-cluster.js'
import { basic, call, getTest, json, type ServerProcess, spawnServer, type TestKey } from './harness.js'

export type { PostgresCluster, PostgresKeyStore, SqlSession }
export { openPostgresKeyStore, openSession, startPostgres }

/** The issuer every instance of one deployment shares, whatever port each listens on. */
export const CLUSTER_ISSUER = 'https://api.latchkey.test'

/** Starts `count` example-API processes on the Postgres database at `url`. */
export function spawnInstances(url: string, count: number): Promise<ServerProcess[]> {
  return Promise.all(Array.from({ length: count }, () => spawnServer(url, CLUSTER_ISSUER)))
}

/** The `kid`s an instance publishes in its JWKS. */
export async function publishedKids(url: string): Promise<string[]> {
  const result = await call(url, '/.well-known/jwks.json')
  if (result.status !== 200) throw new Error(`The JWKS answered ${result.status}.`)
  return (json(result).keys as { kid: string }[]).map((jwk) => jwk.kid)
}

/** Statuses of a Basic and a Bearer request to each instance, all at once. */
export async function statuses(urls: readonly string[], key: TestKey, token: string): Promise<number[]> {
  const results = await Promise.all(
    urls.flatMap((url) => [getTest(url, basic(key.id, key.secret)), getTest(url, `Bearer ${token}`)]),
  )
  return results.map((result) => result.status)
}

/** A TCP relay to a Postgres server that holds back the change feeds' connections: see {@link startFeedGate}. */
export interface FeedGate {
  /** The URL of database `name` through the gate. */
  url(name: string): string
  /** How many change-feed connections are being held. */
  held(): number
  /** Lets the held connections through, and every later one: to a stopped server, they are refused. */
  release(): void
  close(): Promise<void>
}

/**
 * A relay to the Postgres server on `port` that reads each connection's startup message and holds
 * the change feeds' (`application_name` `latchkey-feed`) until {@link FeedGate.release}, as a slow
 * network would; pooled connections pass at once. It puts an instance in the state of its first
 * requests, its feed still connecting, for as long as a test needs.
 */
export async function startFeedGate(port: number): Promise<FeedGate> {
  const sockets = new Set<Socket>()
  const held: { client: Socket; startup: Buffer }[] = []
  let holding = true

  function track(socket: Socket): Socket {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    return socket
  }

  function forward(client: Socket, startup: Buffer): void {
    const upstream = track(connect(port, '127.0.0.1'))
    upstream.on('close', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.write(startup)
    client.pipe(upstream)
    upstream.pipe(client)
  }

  const server = createServer((client) => {
    track(client)
    let startup = Buffer.alloc(0)
    const read = (chunk: Buffer): void => {
      startup = Buffer.concat([startup, chunk])
      // The startup message is length-prefixed, and the client sends nothing more before the answer.
      if (startup.length < 4 || startup.length < startup.readInt32BE(0)) return
      client.off('data', read)
      client.pause()
      if (holding && applicationName(startup) === 'latchkey-feed') held.push({ client, startup })
      else forward(client, startup)
    }
    client.on('data', read)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const gatePort = typeof address === 'object' && address ? address.port : 0
  return {
    url: (name) => `postgres://postgres@127.0.0.1:${gatePort}/${encodeURIComponent(name)}`,
    held: () => held.filter(({ client }) => !client.destroyed).length,
    release() {
      holding = false
      for (const { client, startup } of held.splice(0)) forward(client, startup)
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The `application_name` of a PostgreSQL startup message (protocol 3: length, version, name/value pairs). */
function applicationName(startup: Buffer): string | undefined {
  const fields = startup.subarray(8).toString('utf8').split('\0')
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'application_name') return fields[i + 1]
  }
  return undefined
}
