// The client SDK: client.fetch with a cached token against plain fetch with the same header, to the
// same node:http server in another process; the client's own cost on a stub fetch; and the
// single-flight refresh at expiry.
import { createClient } from '@latchkey/client'
import type { MicroResult } from '../report.js'
import { startServer } from '../server-process.js'
import { median } from '../stats.js'
import { time } from './measure.js'

/** How many callers arrive together at expiry. */
const callers = 100

const quick = process.env.BENCH_QUICK === '1'
/** Interleaved rounds of plain fetch and client.fetch, and call pairs per round. */
const rounds = quick ? 10 : 20
const pairsPerRound = quick ? 150 : 400

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

    results.push(...(await stubOverhead(group, base, apiKey, token)))

    const plain = async (): Promise<void> => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
      await response.arrayBuffer()
    }
    const viaClient = async (): Promise<void> => {
      const response = await client.fetch(url)
      await response.arrayBuffer()
    }
    // Warm both paths (undici's pool, the JIT) before anything is recorded.
    for (let i = 0; i < 500; i++) await Promise.all([plain(), viaClient()])
    results.push(...(await interleaved(group, plain, viaClient)))
    await client.close()

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
    let expiries = 0
    results.push(
      await time(group, `getToken() at expiry, ${callers} callers together (single flight)`, () => {
        now += 2 * 3_600_000
        expiries++
        return Promise.all(Array.from({ length: callers }, () => expiring.getToken()))
      }),
    )
    if (tokenRequests !== expiries) {
      throw new Error(`Single flight broken: ${tokenRequests} token requests for ${expiries} expiries.`)
    }
    await expiring.close()
    return results
  } finally {
    await server.stop()
  }
}

/**
 * The client's own per-call cost, without the network: `client.fetch` and a direct call, both on a
 * fetch that answers a pre-made Response. Over the network this difference is lost in the noise.
 */
async function stubOverhead(
  group: string,
  base: string,
  apiKey: { id: string; secret: string },
  token: string,
): Promise<MicroResult[]> {
  const answer = new Response(null, { status: 200 })
  // The token request goes to the server; every later call gets the pre-made answer.
  let live = true
  const stub: typeof fetch = (input, init) => (live ? fetch(input, init) : Promise.resolve(answer))
  const stubbed = createClient({ baseUrl: base, apiKey, fetch: stub })
  await stubbed.getToken()
  live = false
  const url = `${base}/hello`
  const header = { authorization: `Bearer ${token}` }
  const direct = await time(group, 'stub fetch called directly, same URL', () => stub(url, { headers: header }))
  const viaClient = await time(group, 'client.fetch on the stub fetch, same URL', () => stubbed.fetch(url))
  // A new URL every call, as REST paths with ids are: the client resolves and checks each one.
  let n = 0
  const directNew = await time(group, 'stub fetch called directly, a new URL each call', () =>
    stub(`${url}?n=${n++}`, { headers: header }),
  )
  const viaClientNew = await time(group, 'client.fetch on the stub fetch, a new URL each call', () =>
    stubbed.fetch(`${url}?n=${n++}`),
  )
  await stubbed.close()
  const cost = (client: MicroResult, plain: MicroResult): string =>
    `${((client.p50 - plain.p50) / 1000).toFixed(2)} µs p50, ${((client.avg - plain.avg) / 1000).toFixed(2)} µs avg`
  console.error(`  ${group} › client's own cost per call (stub fetch): same URL ${cost(viaClient, direct)}`)
  console.error(`  ${group} › client's own cost per call (stub fetch): a new URL ${cost(viaClientNew, directNew)}`)
  return [direct, viaClient, directNew, viaClientNew]
}

/**
 * Plain fetch and client.fetch alternated call by call (the order flipped every pair, so neither
 * always follows the other), in short rounds: whatever moves the machine during a round moves both
 * sides, so the per-round ratio of p50s is the comparison. report.ts's `clientOverhead` takes the
 * median of those ratios; a round's rows are named so it pairs them.
 */
async function interleaved(
  group: string,
  plain: () => Promise<void>,
  viaClient: () => Promise<void>,
): Promise<MicroResult[]> {
  const results: MicroResult[] = []
  const ratios: number[] = []
  for (let round = 1; round <= rounds; round++) {
    const plainTimes: number[] = []
    const clientTimes: number[] = []
    for (let pair = 0; pair < pairsPerRound; pair++) {
      if (pair % 2 === 0) {
        plainTimes.push(await elapsed(plain))
        clientTimes.push(await elapsed(viaClient))
      } else {
        clientTimes.push(await elapsed(viaClient))
        plainTimes.push(await elapsed(plain))
      }
    }
    const plainResult = summarize(group, `plain fetch, same Authorization header (${round})`, plainTimes)
    const clientResult = summarize(group, `client.fetch, cached token (${round})`, clientTimes)
    ratios.push(clientResult.p50 / plainResult.p50)
    results.push(plainResult, clientResult)
  }
  const sorted = [...ratios].sort((a, b) => a - b)
  console.error(
    `  ${group} › client.fetch ÷ plain fetch, p50 per round, ${rounds} rounds × ${pairsPerRound} pairs: median ${median(ratios).toFixed(3)} (${sorted[0]?.toFixed(3)}–${sorted.at(-1)?.toFixed(3)})`,
  )
  return results
}

/** Nanoseconds `fn` takes. */
async function elapsed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start)
}

/** A {@link MicroResult} from single-call times in ns, percentiles as mitata takes them. */
function summarize(group: string, name: string, times: readonly number[]): MicroResult {
  const sorted = [...times].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN
  const avg = sorted.reduce((sum, t) => sum + t, 0) / sorted.length
  return { group, name, avg, p50: at(0.5), p99: at(0.99), min: at(0), max: at(1) }
}
