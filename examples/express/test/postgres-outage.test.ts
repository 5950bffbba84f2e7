import { createKeyManager } from '@latchkey/verifier/manage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  cli,
  createKey,
  getTest,
  getToken,
  type ServerProcess,
  sleep,
  spawnServer,
  type TestKey,
  tokenRequest,
  waitUntil,
} from './harness.js'
import {
  CLUSTER_ISSUER,
  type FeedGate,
  openPostgresKeyStore,
  type PostgresCluster,
  spawnInstances,
  startFeedGate,
  startPostgres,
} from './postgres.js'

interface Answer {
  readonly what: string
  readonly status: number
  /** performance.now() when the request was sent and when its answer came back. */
  readonly sent: number
  readonly answered: number
}

describe('Postgres stopped while two instances serve traffic', () => {
  let cluster: PostgresCluster
  let databaseUrl: string
  let instances: ServerProcess[] = []
  let key: TestKey
  let token: string

  beforeAll(async () => {
    cluster = await startPostgres()
    databaseUrl = await cluster.createDatabase('outage')
    await cli(['accounts', 'list'], databaseUrl)
    instances = await spawnInstances(databaseUrl, 2)
    const store = await openPostgresKeyStore(databaseUrl)
    key = await createKey(createKeyManager(store))
    await store.close()
    token = await getToken(instances[0]?.url ?? '', key)
  })

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()))
    await cluster?.destroy()
  })

  it('answers every request 503 while it is down, never 200 or 401, and resumes by itself when it returns', async () => {
    const answers: Answer[] = []
    let running = true

    async function traffic(url: string): Promise<void> {
      const requests: [string, () => Promise<{ status: number }>][] = [
        ['basic', () => getTest(url, basic(key.id, key.secret))],
        ['bearer', () => getTest(url, `Bearer ${token}`)],
        [
          'token',
          () => tokenRequest(url, { grant_type: 'client_credentials' }, { authorization: basic(key.id, key.secret) }),
        ],
      ]
      while (running) {
        for (const [what, send] of requests) {
          const sent = performance.now()
          const { status } = await send().catch(() => ({ status: 0 }))
          answers.push({ what: `${what} ${url}`, status, sent, answered: performance.now() })
        }
      }
    }

    const loops = instances.map((instance) => traffic(instance.url))
    // Traffic first reaches a steady state, however loaded the machine is (bounded: 10 s).
    const warming = performance.now()
    while (answers.length < 12 && performance.now() - warming < 10_000) await sleep(50)
    const stopping = performance.now()
    await cluster.stop()
    const stopped = performance.now()
    await sleep(2000)
    const restarting = performance.now()
    await cluster.start()
    const restarted = performance.now()
    // Service resumes without a restart of the instances: wait for a full round of 200s on both.
    let resumedAt = Number.NaN
    for (;;) {
      await sleep(50)
      const recent = answers.filter((answer) => answer.sent > performance.now() - 300 && answer.sent > restarted)
      if (recent.length >= 6 && recent.every((answer) => answer.status === 200)) {
        resumedAt = performance.now()
        break
      }
      if (performance.now() - restarted > 15_000) break
    }
    running = false
    await Promise.all(loops)

    const before = answers.filter((answer) => answer.answered < stopping)
    // An instance learns of the outage when its change-feed connection drops (or its attempt to make
    // one fails), a few ms after Postgres stops; until then a key status it read moments before may
    // still be served from its cache.
    const detection = 100
    const down = answers.filter((answer) => answer.sent > stopped + detection && answer.answered < restarting)
    console.log(
      `outage: ${before.length} answers before, ${down.length} while down; service back ${(resumedAt - restarted).toFixed(0)} ms after Postgres accepted connections`,
    )
    expect(before.length).toBeGreaterThan(6)
    expect(before.filter((answer) => answer.status !== 200).map((a) => ({ ...a, at: a.sent - stopping }))).toEqual([])
    expect(down.length).toBeGreaterThan(5)
    expect(down.filter((answer) => answer.status !== 503)).toEqual([])
    expect(answers.filter((answer) => answer.status === 401 || answer.status === 0)).toEqual([])
    expect(Number.isNaN(resumedAt)).toBe(false)
    // And after recovery the key and its token work on both instances.
    for (const instance of instances) {
      expect((await getTest(instance.url, `Bearer ${token}`)).status).toBe(200)
      expect((await getTest(instance.url, basic(key.id, key.secret))).status).toBe(200)
    }
  })
})

describe('Postgres stopped while an instance still connects its change feed', () => {
  let cluster: PostgresCluster
  let gate: FeedGate
  let instance: ServerProcess | undefined
  let key: TestKey

  beforeAll(async () => {
    cluster = await startPostgres()
    const databaseUrl = await cluster.createDatabase('cold')
    await cli(['accounts', 'list'], databaseUrl)
    const store = await openPostgresKeyStore(databaseUrl)
    key = await createKey(createKeyManager(store))
    await store.close()
    gate = await startFeedGate(cluster.port)
    instance = await spawnServer(gate.url('cold'), CLUSTER_ISSUER)
  })

  afterAll(async () => {
    await instance?.stop()
    await gate?.close()
    await cluster?.destroy()
  })

  it('answers 503, not the statuses it read before its feed listened, and resumes when Postgres returns', async () => {
    const url = instance?.url ?? ''
    // An instance's first requests: its feed is still connecting, so the statuses read now are
    // trusted for keyStatusFallbackMaxAge (1 s) and no live connection will drop to report an outage.
    const token = await getToken(url, key)
    expect((await getTest(url, basic(key.id, key.secret))).status).toBe(200)
    await waitUntil(async () => gate.held() === 1, 2000)
    await cluster.stop()
    const stopped = performance.now()
    // The feed's attempt reaches the server only now, and is refused.
    gate.release()
    const answers: { what: string; status: number; sent: number }[] = []
    const requests: [string, () => Promise<{ status: number }>][] = [
      ['basic', () => getTest(url, basic(key.id, key.secret))],
      ['bearer', () => getTest(url, `Bearer ${token}`)],
      [
        'token',
        () => tokenRequest(url, { grant_type: 'client_credentials' }, { authorization: basic(key.id, key.secret) }),
      ],
    ]
    while (performance.now() - stopped < 1500) {
      for (const [what, send] of requests) {
        const sent = performance.now() - stopped
        const { status } = await send().catch(() => ({ status: 0 }))
        answers.push({ what, status, sent })
      }
    }
    // As in the test above: the attempt fails a few ms after the server stops.
    const detection = 100
    expect(answers.filter((answer) => answer.sent > detection && answer.status !== 503)).toEqual([])
    expect(answers.filter((answer) => answer.sent > detection).length).toBeGreaterThan(5)
    expect(answers.filter((answer) => answer.status === 401 || answer.status === 0)).toEqual([])
    await cluster.start()
    const back = performance.now()
    for (;;) {
      const results = await Promise.all(requests.map(([, send]) => send()))
      if (results.every((result) => result.status === 200)) break
      expect(results.filter((result) => result.status !== 503 && result.status !== 200)).toEqual([])
      if (performance.now() - back > 15_000)
        throw new Error(`Not back 15 s after Postgres: ${results.map((r) => r.status)}`)
      await sleep(50)
    }
  })
})
