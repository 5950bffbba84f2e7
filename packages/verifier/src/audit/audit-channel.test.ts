import * as diagnosticsChannel from 'node:diagnostics_channel'
import { afterEach, describe, expect, it } from 'vitest'
import { createVerifier } from '../index.js'
import { createKeyManager } from '../manage/key-manager.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { AUTH_EVENT_CHANNEL, nodeAuthEventChannel } from './audit-channel.js'
import type { AuthEvent } from './events.js'

const issuer = 'https://api.example.test'
const subscriptions: [string, (message: unknown) => void][] = []

function subscribe(): AuthEvent[] {
  const published: AuthEvent[] = []
  const listener = (message: unknown) => published.push(message as AuthEvent)
  diagnosticsChannel.subscribe(AUTH_EVENT_CHANNEL, listener)
  subscriptions.push([AUTH_EVENT_CHANNEL, listener])
  return published
}

afterEach(() => {
  for (const [name, listener] of subscriptions.splice(0)) diagnosticsChannel.unsubscribe(name, listener)
})

async function keyed() {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Audit' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
  return { store, key, basic: `Basic ${btoa(`${key.id}:${key.secret}`)}` }
}

describe("Audit events on Node's diagnostics_channel", () => {
  it('finds the channel through process.getBuiltinModule, without importing node:', () => {
    expect(nodeAuthEventChannel()).toBe(diagnosticsChannel.channel('latchkey:auth'))
  })

  it('publishes on latchkey:auth exactly the events the onEvent hook receives', async () => {
    const { store, key, basic } = await keyed()
    const hooked: AuthEvent[] = []
    const verifier = createVerifier({ store, issuer, onEvent: (event) => hooked.push(event) })
    const published = subscribe()
    await verifier.authenticate({ authorization: [basic] })
    await verifier.authenticate({ authorization: [`Basic ${btoa(`${key.id}:wrong`)}`] })
    await verifier.authenticate({ authorization: ['Bearer not.a.token'] })
    expect(published).toHaveLength(3)
    expect(published).toEqual(hooked)
    expect(published.map((event) => [event.outcome, event.reason])).toEqual([
      ['success', undefined],
      ['failure', 'wrong_secret'],
      ['failure', 'token_invalid'],
    ])
  })

  it('publishes without an onEvent hook, and builds no event while nobody subscribes', async () => {
    const { store, basic } = await keyed()
    const verifier = createVerifier({ store, issuer })
    await verifier.authenticate({ authorization: [basic] })
    const published = subscribe()
    await verifier.authenticate({ authorization: [basic] })
    expect(published).toMatchObject([{ type: 'authenticate', outcome: 'success', method: 'basic' }])
  })

  it('carries the client address the adapter passed, and a duration in ms', async () => {
    const { store, basic } = await keyed()
    const verifier = createVerifier({ store, issuer })
    const published = subscribe()
    await verifier.authenticate({ authorization: [basic] }, { clientAddress: '203.0.113.7' })
    await verifier.authenticate({ authorization: [basic] })
    expect(published[0]).toMatchObject({ clientAddress: '203.0.113.7' })
    expect(published[0]?.durationMs).toBeGreaterThanOrEqual(0)
    expect(published[1]).not.toHaveProperty('clientAddress')
  })

  it('answers the same when the hook throws', async () => {
    const { store, basic } = await keyed()
    const verifier = createVerifier({
      store,
      issuer,
      onEvent: () => {
        throw new Error('The log is full.')
      },
    })
    expect((await verifier.authenticate({ authorization: [basic] })).ok).toBe(true)
  })
})
