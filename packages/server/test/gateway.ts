import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createVerifier, type KeyStore, MemoryKeyStore, type Verifier, type VerifierOptions } from '@latchkey/verifier'
import { createKeyManager } from '@latchkey/verifier/manage'
import { afterAll, beforeAll } from 'vitest'
import { createGatewayListener, DEFAULT_TRUSTED_PROXIES, type RouteRule } from '../src/index.js'

/** A key made in the gateway's store. */
export interface TestKey {
  readonly id: string
  readonly secret: string
  readonly accountId: string
}

/** A gateway on a loopback port for the calling file's tests, over an in-memory store. */
export interface TestGateway {
  url(): string
  readonly store: KeyStore
  verifier(): Verifier
  /** A key with `scopes`, named `name`, with metadata `{ plan: 'pro' }`. */
  createKey(scopes: readonly string[], name?: string): Promise<TestKey>
  revoke(id: string): Promise<void>
}

export const ISSUER = 'https://gateway.test'

/**
 * Starts a gateway with `rules` before the calling file's tests, and stops it after them; `options`
 * are passed on to its verifier (a clock, say).
 */
export function startGateway(
  rules: readonly RouteRule[],
  store: KeyStore = new MemoryKeyStore(),
  options: Omit<VerifierOptions, 'store' | 'issuer'> = {},
): TestGateway {
  const manager = createKeyManager(store)
  let server: Server | undefined
  let verifier: Verifier | undefined
  let url = ''
  let accountId = ''
  beforeAll(async () => {
    verifier = createVerifier({ store, issuer: ISSUER, trustedProxies: DEFAULT_TRUSTED_PROXIES, ...options })
    const created = createServer(createGatewayListener({ verifier, store, rules, readyTimeout: 300 }))
    server = created
    await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(created.address() as AddressInfo).port}`
    accountId = (await manager.createAccount({ name: 'Acme' })).id
  })
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
    await verifier?.close?.()
  })
  return {
    url: () => url,
    store,
    verifier: () => verifier as Verifier,
    async createKey(scopes, name) {
      const key = await manager.createApiKey({
        accountId,
        scopes: [...scopes],
        metadata: { plan: 'pro' },
        ...(name ? { name } : {}),
      })
      return { id: key.id, secret: key.secret, accountId }
    },
    async revoke(id) {
      await manager.revokeApiKey(id)
    },
  }
}

export const basic = ({ id, secret }: { id: string; secret: string }): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
