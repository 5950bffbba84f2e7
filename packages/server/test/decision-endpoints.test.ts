import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { basic, startGateway, type TestKey } from './gateway.js'
import { wrongSecret } from './wrong-secret.js'

// The decision endpoints over real loopback HTTP, sent exactly the requests each proxy's
// documentation describes: nginx auth_request, Traefik forwardAuth, Caddy forward_auth, Envoy ext_authz.

const gateway = startGateway([
  { method: 'GET', path: '/public/*', auth: { kind: 'none' } },
  { method: 'POST', path: '/api/*', auth: { kind: 'required', scopes: ['write'] } },
  { method: '*', path: '/admin', auth: { kind: 'required', scopes: ['admin'] } },
])

const ask = (path: string, headers: Record<string, string>, method = 'GET') =>
  fetch(`${gateway.url()}${path}`, { method, headers, redirect: 'manual' })
const nginx = (method: string, uri: string, headers: Record<string, string> = {}) =>
  ask('/auth/nginx', { 'x-original-method': method, 'x-original-uri': uri, ...headers })
const forwarded = (proxy: 'traefik' | 'caddy', method: string, uri: string, headers: Record<string, string> = {}) =>
  ask(`/auth/${proxy}`, {
    'x-forwarded-method': method,
    'x-forwarded-uri': uri,
    'x-forwarded-host': 'api.example.com',
    'x-forwarded-proto': 'https',
    ...headers,
  })
/** Envoy sends the original path as it came, which `fetch` would normalise (dot segments, backslashes). */
function envoy(method: string, uri: string, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const sent = request(`${gateway.url()}/auth/envoy`, { method, headers, path: `/auth/envoy${uri}` }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const answerHeaders = new Headers()
        for (const [name, value] of Object.entries(res.headers))
          if (typeof value === 'string') answerHeaders.set(name, value)
        resolve(
          new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), {
            status: res.statusCode ?? 500,
            headers: answerHeaders,
          }),
        )
      })
    })
    sent.on('error', reject)
    sent.end()
  })
}

/** The answer nginx's error_page location fetches from /auth/nginx/refusal. */
async function refusalOf(response: Response) {
  const carried = response.headers.get('x-latchkey-refusal') ?? ''
  const shown = await ask('/auth/nginx/refusal', { 'x-latchkey-refusal': carried })
  return { status: shown.status, headers: shown.headers, body: await shown.text() }
}

let reader: TestKey
let writer: TestKey

describe('every decision endpoint', () => {
  it('allows valid Basic credentials with 200 and the identity headers', async () => {
    reader = await gateway.createKey(['read'], 'Büro key')
    writer = await gateway.createKey(['read', 'write'])
    for (const response of [
      await nginx('GET', '/api/things?page=2', { authorization: basic(reader) }),
      await forwarded('traefik', 'GET', '/api/things', { authorization: basic(reader) }),
      await forwarded('caddy', 'GET', '/api/things', { authorization: basic(reader) }),
      await envoy('GET', '/api/things?page=2', { authorization: basic(reader) }),
    ]) {
      expect(response.status).toBe(200)
      expect(response.headers.get('x-latchkey-key-id')).toBe(reader.id)
      expect(response.headers.get('x-latchkey-account-id')).toBe(reader.accountId)
      expect(response.headers.get('x-latchkey-scopes')).toBe('read')
      expect(decodeURIComponent(response.headers.get('x-latchkey-key-name') ?? '')).toBe('Büro key')
      const metadata = Buffer.from(response.headers.get('x-latchkey-metadata') ?? '', 'base64url').toString()
      expect(JSON.parse(metadata)).toEqual({ plan: 'pro' })
      expect(response.headers.get('cache-control')).toBe('no-store')
    }
  })

  it('allows a Bearer token from the token endpoint it serves', async () => {
    const token = await fetch(`${gateway.url()}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(writer), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=write',
    })
    expect(token.status).toBe(200)
    const { access_token: accessToken } = (await token.json()) as { access_token: string }
    const response = await forwarded('caddy', 'POST', '/api/things', { authorization: `Bearer ${accessToken}` })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-latchkey-scopes')).toBe('write')
  })

  it('lets Envoy strip the credential upstream, and only Envoy is told to', async () => {
    const response = await envoy('GET', '/api/things', { authorization: basic(reader) })
    // The credential, and the one identity header this key does not get (it has a name, so only none).
    expect(response.headers.get('x-envoy-auth-headers-to-remove')).toBe('authorization')
    const unnamed = await gateway.createKey(['read'])
    const anonymous = await envoy('GET', '/api/things', { authorization: basic(unnamed) })
    expect(anonymous.headers.get('x-envoy-auth-headers-to-remove')).toBe('authorization,x-latchkey-key-name')
    // A public route sets no identity: Envoy removes every client copy and the credential.
    const open = await envoy('GET', '/public/logo.png', { authorization: basic(reader), 'x-latchkey-key-id': 'forged' })
    expect(open.headers.get('x-envoy-auth-headers-to-remove')?.split(',')).toEqual([
      'authorization',
      'x-latchkey-key-id',
      'x-latchkey-account-id',
      'x-latchkey-scopes',
      'x-latchkey-key-name',
      'x-latchkey-metadata',
      'x-latchkey-auth-method',
    ])
    const other = await forwarded('traefik', 'GET', '/api/things', { authorization: basic(reader) })
    expect(other.headers.get('x-envoy-auth-headers-to-remove')).toBeNull()
  })

  it('allows an "auth": "none" route without credentials and without identity headers', async () => {
    for (const response of [await nginx('GET', '/public/logo.png'), await envoy('GET', '/public/')]) {
      expect(response.status).toBe(200)
      expect(response.headers.get('x-latchkey-key-id')).toBeNull()
    }
    // The rule is GET only, and /public itself is not below /public/.
    expect((await nginx('POST', '/public/form')).status).toBe(401)
    expect((await nginx('GET', '/public')).status).toBe(401)
  })
})

describe('refusals', () => {
  it('Traefik, Caddy and Envoy get the embedded verifier’s 401 as it is: both challenges in one line', async () => {
    for (const response of [
      await forwarded('traefik', 'GET', '/api/things'),
      await forwarded('caddy', 'GET', '/api/things'),
      await envoy('GET', '/api/things'),
    ]) {
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="api", charset="UTF-8", Bearer realm="api"')
      expect(await response.json()).toMatchObject({ error: 'unauthorized' })
    }
  })

  it('nginx gets 401 with the challenges, and the whole answer to show from its error_page', async () => {
    const response = await nginx('GET', '/api/things')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=.*, Bearer realm=/)
    const shown = await refusalOf(response)
    expect(shown.status).toBe(401)
    expect(shown.headers.get('www-authenticate')).toBe(response.headers.get('www-authenticate'))
    expect(JSON.parse(shown.body)).toMatchObject({ error: 'unauthorized' })
  })

  it('answers a missing scope with 403 insufficient_scope (nginx: 403, the answer carried)', async () => {
    const direct = await forwarded('traefik', 'POST', '/api/things', { authorization: basic(reader) })
    expect(direct.status).toBe(403)
    expect(direct.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/)
    const viaNginx = await nginx('POST', '/api/things', { authorization: basic(reader) })
    expect(viaNginx.status).toBe(403)
    const shown = await refusalOf(viaNginx)
    expect(shown.status).toBe(403)
    expect(shown.headers.get('www-authenticate')).toBe(direct.headers.get('www-authenticate'))
    expect(shown.body).toBe(await direct.text())
  })

  it('refuses a wrong secret, an unknown id and a revoked key with the same bytes', async () => {
    const victim = await gateway.createKey(['read'])
    const answers: string[] = []
    for (const authorization of [
      basic({ id: reader.id, secret: wrongSecret(reader.secret) }),
      basic({ id: 'lk_unknownunknownunknown00', secret: reader.secret }),
    ]) {
      const response = await forwarded('caddy', 'GET', '/api/x', { authorization, 'x-forwarded-for': '203.0.113.7' })
      answers.push(`${response.status} ${response.headers.get('www-authenticate')} ${await response.text()}`)
    }
    await gateway.revoke(victim.id)
    const revoked = await forwarded('caddy', 'GET', '/api/x', {
      authorization: basic(victim),
      'x-forwarded-for': '203.0.113.8',
    })
    answers.push(`${revoked.status} ${revoked.headers.get('www-authenticate')} ${await revoked.text()}`)
    expect(answers[0]).toMatch(/^401 /)
    expect(new Set(answers).size).toBe(1)
  })

  it('refuses a token in the original query, as the embedded verifier does', async () => {
    const response = await forwarded('traefik', 'GET', '/api/things?access_token=abc')
    expect(response.status).toBe(400)
  })

  it('says which header the proxy did not send, with 400 problem details', async () => {
    const response = await ask('/auth/nginx', { 'x-original-method': 'GET' })
    // nginx passes only 401/403: the 400 is carried.
    expect(response.status).toBe(403)
    const shown = await refusalOf(response)
    expect(shown.status).toBe(400)
    expect(shown.headers.get('content-type')).toBe('application/problem+json')
    expect(JSON.parse(shown.body)).toMatchObject({ status: 400, detail: expect.stringContaining('x-original-uri') })
    const traefik = await ask('/auth/traefik', { 'x-forwarded-uri': '/api' })
    expect([traefik.status, (await traefik.json()).detail]).toEqual([
      400,
      expect.stringContaining('x-forwarded-method'),
    ])
  })

  it('shows no more than a refusal from a refusal header it did not write', async () => {
    for (const carried of [
      '',
      'not base64!',
      Buffer.from('{"status":200,"headers":{},"body":""}').toString('base64url'),
    ]) {
      const shown = await ask('/auth/nginx/refusal', { 'x-latchkey-refusal': carried })
      expect(shown.status).toBe(403)
    }
    const forged = Buffer.from(JSON.stringify({ status: 401, headers: { 'Set-Cookie': 'a=b' }, body: '' })).toString(
      'base64url',
    )
    expect((await ask('/auth/nginx/refusal', { 'x-latchkey-refusal': forged })).headers.get('set-cookie')).toBeNull()
  })
})

describe('path tricks', () => {
  it.each([['/api/%2e%2e/admin'], ['//admin'], ['/public/../admin'], ['/public/%2E%2E/admin'], ['/public/./../admin']])(
    '%s is decided as /admin, never as the looser rule it starts like',
    async (uri) => {
      const response = await forwarded('caddy', 'GET', uri, { authorization: basic(reader) })
      expect(response.status).toBe(403)
      expect(response.headers.get('www-authenticate')).toMatch(/scope="admin"/)
    },
  )

  it.each([
    ['/public%2F..%2Fadmin'],
    ['/public/..%2fadmin'],
    ['/public/%00'],
    ['/public/%zz'],
    ['/public/../../admin'],
    ['/public/..;/admin'],
    ['/public\\..\\admin'],
  ])('%s is refused with 400, through every contract', async (uri) => {
    expect((await forwarded('traefik', 'GET', uri)).status).toBe(400)
    expect((await envoy('GET', uri.startsWith('/') ? uri : `/${uri}`)).status).toBe(400)
    const viaNginx = await nginx('GET', uri)
    expect([viaNginx.status, (await refusalOf(viaNginx)).status]).toEqual([403, 400])
  })

  it('matches paths case-sensitively: /Public/ is not /public/', async () => {
    expect((await nginx('GET', '/Public/logo.png')).status).toBe(401)
  })
})

describe('behind a proxy', () => {
  it('throttles one client by its X-Forwarded-For address, never everyone behind the proxy', async () => {
    const wrong = basic({ id: writer.id, secret: wrongSecret(writer.secret) })
    let blocked: Response | undefined
    for (let attempt = 0; attempt < 50 && !blocked; attempt++) {
      const response = await forwarded('traefik', 'GET', '/api/x', {
        authorization: wrong,
        'x-forwarded-for': '198.51.100.1',
      })
      if (response.status === 429) blocked = response
    }
    expect(blocked?.status).toBe(429)
    expect(Number(blocked?.headers.get('retry-after'))).toBeGreaterThan(0)
    const viaNginx = await nginx('GET', '/api/x', { authorization: wrong, 'x-forwarded-for': '198.51.100.1' })
    const shown = await refusalOf(viaNginx)
    expect([viaNginx.status, shown.status, shown.headers.get('retry-after') !== null]).toEqual([403, 429, true])
    const other = await forwarded('traefik', 'GET', '/api/x', {
      authorization: basic(reader),
      'x-forwarded-for': '198.51.100.2',
    })
    expect(other.status).toBe(200)
  })
})

describe('operations', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await (await ask('/healthz', {})).json()).toEqual({ status: 'ok' })
    expect(await (await ask('/readyz', {})).json()).toEqual({ status: 'ready' })
  })

  it('answers anything else with 404 problem details', async () => {
    const response = await ask('/auth/envoyx', {})
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
  })
})
