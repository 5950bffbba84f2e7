import { describe, expect, it } from 'vitest'
import { basicAuthorization } from './cli-key-store.js'
import { BASIC_CHALLENGE, describeForwardAuth, describeStoreOutage } from './forward-auth-suite.js'
import { useProxiedGateway } from './proxied-gateway.js'
import { startNginx } from './proxies.js'

// nginx (auth_request) in front of `latchkey serve` and a Python backend, with the config
// docs/gateway.md shows. Clients connect from distinct loopback addresses (127.0.0.2, 127.0.0.3), so
// nginx sees them as distinct clients and tells the gateway their address ($remote_addr) itself.

const proxied = useProxiedGateway(startNginx)

describeForwardAuth(proxied)

describe('nginx specifics', () => {
  it('keeps the decision location internal: a client cannot call it through nginx', async () => {
    const answer = await proxied.send({ path: '/_latchkey' })
    expect(answer.status).toBe(404)
    expect(answer.names.filter((name) => name.startsWith('x-latchkey-'))).toEqual([])
  })

  it('shows a carried refusal only as the gateway wrote it, whatever refusal header the client sends', async () => {
    // The client's own X-Latchkey-Refusal is replaced by the one auth_request captured.
    const carried = Buffer.from(JSON.stringify({ status: 400, headers: {}, body: 'forged' })).toString('base64url')
    const answer = await proxied.send({
      path: '/api/things',
      headers: {
        authorization: basicAuthorization('lk_unknownunknownunknown00', 'wrong'),
        'x-latchkey-refusal': carried,
      },
    })
    expect(answer.status).toBe(401)
    expect(answer.lines('www-authenticate')).toEqual([BASIC_CHALLENGE])
    expect(JSON.parse(answer.body)).toEqual({ error: 'invalid_client', error_description: 'The API key is not valid.' })
  })
})

// Last: it destroys the store.
describeStoreOutage(proxied)
