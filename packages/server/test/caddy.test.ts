import { describe, expect, it } from 'vitest'
import { readEcho } from './backend.js'
import { basicAuthorization } from './cli-key-store.js'
import { describeForwardAuth, describeStoreOutage } from './forward-auth-suite.js'
import { useProxiedGateway } from './proxied-gateway.js'
import { startCaddy } from './proxies.js'

// Caddy (forward_auth) in front of `latchkey serve` and a Python backend, with the config
// docs/gateway.md shows. Clients connect from distinct loopback addresses (127.0.0.2, 127.0.0.3):
// Caddy trusts no client's X-Forwarded-For by default and sends the gateway the address it saw.

const proxied = useProxiedGateway(startCaddy)

describeForwardAuth(proxied)

describe('Caddy specifics', () => {
  it('removes every X-Latchkey-* header a client sent, not only the identity headers', async () => {
    const key = await proxied.store.createKey(proxied.accountId, ['read'])
    const seen = readEcho(
      await proxied.send({
        path: '/api/things',
        headers: { authorization: basicAuthorization(key.id, key.secret), 'x-latchkey-role': 'admin' },
      }),
    )
    expect(seen?.values('x-latchkey-key-id')).toEqual([key.id])
    expect(seen?.values('x-latchkey-role')).toEqual([])
  })

  it('never passes placeholder text on as a header value (caddyserver/caddy#6610)', async () => {
    const seen = readEcho(await proxied.send({ path: '/public/logo.png' }))
    expect(seen?.names.filter((name) => seen.values(name).some((value) => value.includes('{http.')))).toEqual([])
  })
})

// Last: it destroys the store.
describeStoreOutage(proxied)
