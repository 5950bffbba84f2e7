// The client SDK: client.fetch with a cached token against plain fetch with the same header, to the
// same node:http server in another process; and the single-flight refresh at expiry.
import { createClient } from '@latchkey/client'
import type { MicroResult } from '../report.js'
import { startServer } from '../server-process.js'
import { time } from './measure.js'

/** How many callers arrive together at expiry. */
const callers = 100

export async function clientBenchmarks(): Promise<MicroResult[]> {
  // The no-auth server, which reads no fixture: it answers /hello and a token endpoint, so only the
  // client's cost differs.
  const server = await startServer('node-http-baseline', '')
  try {
    const base = `http://127.0.0.1:${server.port}`
    const apiKey = { id: 'lk_micro', secret: `lksecret_${'A'.repeat(43)}` }
    const client = createClient({ baseUrl: base, apiKey })
    const token = await client.getToken()
    const url = `${base}/hello`
    const results: MicroResult[] = []
    const group = 'client'
    const plain = async (): Promise<void> => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
      await response.arrayBuffer()
    }
    const viaClient = async (): Promise<void> => {
      const response = await client.fetch(url)
      await response.arrayBuffer()
    }
    // Warm both paths (undici's pool, the JIT), then alternate, so neither goes first on a cold process.
    for (let i = 0; i < 500; i++) await Promise.all([plain(), viaClient()])
    for (let round = 1; round <= 2; round++) {
      results.push(await time(group, `plain fetch, same Authorization header (${round})`, plain))
      results.push(await time(group, `client.fetch, cached token (${round})`, viaClient))
    }

    // A clock the benchmark moves: every iteration starts with the cached token expired.
    let now = 0
    let tokenRequests = 0
    const clock = {
      now: () => now,
      wallTime: () => Date.now() + now,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    }
    const counting: typeof fetch = (input, init) => {
      tokenRequests++
      return fetch(input, init)
    }
    const expiring = createClient({ baseUrl: base, apiKey, clock, fetch: counting })
    await expiring.getToken()
    results.push(
      await time(group, 'getToken(forceRefresh), one caller', () => expiring.getToken({ forceRefresh: true })),
    )
    tokenRequests = 0
    let rounds = 0
    results.push(
      await time(group, `getToken() at expiry, ${callers} callers together (single flight)`, () => {
        now += 2 * 3_600_000
        rounds++
        return Promise.all(Array.from({ length: callers }, () => expiring.getToken()))
      }),
    )
    if (tokenRequests !== rounds) {
      throw new Error(`Single flight broken: ${tokenRequests} token requests for ${rounds} expiries.`)
    }
    await client.close()
    await expiring.close()
    return results
  } finally {
    await server.stop()
  }
}
