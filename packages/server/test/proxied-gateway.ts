import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { startEchoBackend } from './backend.js'
import type { OwnedProcess } from './child-process.js'
import { type CliKeyStore, cliKeyStore } from './cli-key-store.js'
import { startLatchkeyServe } from './latchkey-serve.js'
import { freeLoopbackPort } from './loopback-port.js'
import type { ProxyStarter } from './proxies.js'
import { type RawAnswer, type RawRequest, sendRaw } from './raw-request.js'

/** The routes file every real-proxy test runs with. */
export const ROUTES = {
  routes: [
    { method: 'GET', path: '/public/*', auth: 'none' },
    { method: 'POST', path: '/api/*', scopes: ['write'] },
    { path: '/admin', scopes: ['admin'] },
  ],
}

/** A proxy in front of `latchkey serve` and the echo backend, each a child process on loopback. */
export interface ProxiedGateway {
  /** The proxy's URL, where clients send requests; also the gateway's issuer. */
  readonly url: string
  /** `latchkey serve`'s own URL. */
  readonly gatewayUrl: string
  /** The gateway's SQLite store, managed with the real CLI. */
  readonly store: CliKeyStore
  /** An account made with the CLI, owning the calling file's keys. */
  readonly accountId: string
  /** Sends `raw` to the proxy. */
  send(raw: RawRequest): Promise<RawAnswer>
}

/**
 * Before the calling file's tests: a temp dir holding a fresh SQLite store (one account made with the
 * CLI), `latchkey serve` with {@link ROUTES}, the Python echo backend, and the proxy `startProxy`
 * starts; after them, each process stopped by its pid and the temp dir removed.
 */
export function useProxiedGateway(startProxy: ProxyStarter): ProxiedGateway {
  let directory: string | undefined
  const processes: OwnedProcess[] = []
  let started: Omit<ProxiedGateway, 'send'> | undefined
  const get = (): Omit<ProxiedGateway, 'send'> => {
    if (!started) throw new Error('The proxied gateway is not running: use it inside a test.')
    return started
  }
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'latchkey-proxy-'))
    directory = root
    const store = cliKeyStore(root)
    const accountId = await store.createAccount('Acme')
    // The proxy's port comes first: the gateway's issuer is the URL clients reach it at.
    const port = await freeLoopbackPort()
    const url = `http://127.0.0.1:${port}`
    const [gateway, backend] = await Promise.all([
      startLatchkeyServe({ directory: root, databaseUrl: store.databaseUrl, issuer: url, routes: ROUTES }),
      startEchoBackend(),
    ])
    processes.push(gateway.process, backend.process)
    const proxy = await startProxy(root, port, {
      gateway: new URL(gateway.url).host,
      backend: `127.0.0.1:${backend.port}`,
    })
    processes.push(proxy.process)
    started = { url, gatewayUrl: gateway.url, store, accountId }
  })
  afterAll(async () => {
    // The proxy first, so it sends nothing more to the processes behind it.
    const [proxy, ...behind] = processes.reverse()
    await proxy?.stop()
    await Promise.all(behind.map((owned) => owned.stop()))
    if (directory) rmSync(directory, { recursive: true, force: true })
  })
  return {
    get url() {
      return get().url
    },
    get gatewayUrl() {
      return get().gatewayUrl
    },
    get store() {
      return get().store
    },
    get accountId() {
      return get().accountId
    },
    send: (raw) => sendRaw(get().url, raw),
  }
}
