import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  call,
  createKey,
  createRefusedKeys,
  expectIdenticalAnswers,
  getTest,
  type HttpResult,
  json,
  rawCall,
  startServer,
  type TestKey,
  type TestServer,
  tokenRequest,
  wrongSecret,
} from './harness.js'
import { decodeJwt } from './jwt.js'

const form = { 'content-type': 'application/x-www-form-urlencoded' }
const grant = { grant_type: 'client_credentials' }

let server: TestServer
let key: TestKey

beforeAll(async () => {
  server = await startServer()
  key = await createKey(server.manager, ['read', 'write'])
})

afterAll(async () => {
  await server?.stop()
})

function withBasic(k: TestKey = key): Record<string, string> {
  return { authorization: basic(k.id, k.secret) }
}

function expectError(result: HttpResult, status: number, error: string): void {
  expect({ status: result.status, error: json(result).error }).toEqual({ status, error })
  expect(result.headers['cache-control']).toBe('no-store')
}

describe('The token endpoint POST /oauth/token (RFC 6749 §4.4)', () => {
  it('issues a Bearer token for Basic client authentication, uncacheable and without a refresh token', async () => {
    const result = await tokenRequest(server.url, grant, withBasic())
    expect(result.status).toBe(200)
    expect(result.headers['cache-control']).toBe('no-store')
    expect(result.headers.pragma).toBe('no-cache')
    expect(result.headers['content-type']).toMatch(/^application\/json/)
    const body = json(result)
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type'])
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read write' })
    expect(body.access_token).toEqual(expect.any(String))
    expect(body).not.toHaveProperty('refresh_token')
  })

  it('issues a token for client_id and client_secret in the body (client_secret_post)', async () => {
    const result = await tokenRequest(server.url, { ...grant, client_id: key.id, client_secret: key.secret })
    expect(result.status).toBe(200)
    expect(json(result).token_type).toBe('Bearer')
  })

  it('refuses Basic and a client_secret in the body together with 400 invalid_request', async () => {
    const result = await tokenRequest(
      server.url,
      { ...grant, client_id: key.id, client_secret: key.secret },
      withBasic(),
    )
    expectError(result, 400, 'invalid_request')
  })

  it('refuses a client_id in the body that names another client than Basic', async () => {
    const other = await createKey(server.manager)
    expectError(await tokenRequest(server.url, { ...grant, client_id: other.id }, withBasic()), 400, 'invalid_request')
  })

  it('answers a request without client authentication with 401 invalid_client and a Basic challenge', async () => {
    const result = await tokenRequest(server.url, grant)
    expectError(result, 401, 'invalid_client')
    expect(result.headers['www-authenticate']).toBe('Basic realm="api", charset="UTF-8"')
  })

  it('answers a wrong secret, an unknown id, a revoked, a disabled key and a disabled account identically', async () => {
    const { revoked, disabled, inDisabledAccount } = await createRefusedKeys(server.manager)
    const withWrongSecret = { ...key, secret: wrongSecret(key.secret) }
    const unknownId = { ...key, id: `lk_${'B'.repeat(24)}` }

    const answers = {
      wrongSecret: await tokenRequest(server.url, grant, withBasic(withWrongSecret)),
      unknownId: await tokenRequest(server.url, grant, withBasic(unknownId)),
      revoked: await tokenRequest(server.url, grant, withBasic(revoked)),
      disabled: await tokenRequest(server.url, grant, withBasic(disabled)),
      disabledAccount: await tokenRequest(server.url, grant, withBasic(inDisabledAccount)),
      wrongSecretInBody: await tokenRequest(server.url, {
        ...grant,
        client_id: withWrongSecret.id,
        client_secret: withWrongSecret.secret,
      }),
    }
    const reference = answers.wrongSecret
    expectError(reference, 401, 'invalid_client')
    expect(reference.headers['www-authenticate']).toBe('Basic realm="api", charset="UTF-8"')
    expectIdenticalAnswers(reference, answers)
  })

  it('refuses two Authorization headers with 400 invalid_request', async () => {
    const authorization = basic(key.id, key.secret)
    const result = await rawCall(server.url, '/oauth/token', {
      method: 'POST',
      headers: { ...form, authorization: [authorization, authorization] },
      body: 'grant_type=client_credentials',
    })
    expectError(result, 400, 'invalid_request')
  })

  it('accepts the form media type with a charset parameter and in any case', async () => {
    for (const contentType of [
      'application/x-www-form-urlencoded;charset=UTF-8',
      'Application/X-WWW-Form-URLEncoded',
    ]) {
      const result = await call(server.url, '/oauth/token', {
        method: 'POST',
        headers: { 'content-type': contentType, ...withBasic() },
        body: 'grant_type=client_credentials',
      })
      expect(result.status, contentType).toBe(200)
    }
  })

  it('answers other methods than POST with 405 and Allow: POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const result = await call(server.url, '/oauth/token', { method, headers: withBasic() })
      expect(result.status, method).toBe(405)
      expect(result.headers.allow, method).toBe('POST')
    }
  })

  it('refuses a JSON body with 400 invalid_request', async () => {
    const result = await call(server.url, '/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withBasic() },
      body: JSON.stringify(grant),
    })
    expectError(result, 400, 'invalid_request')
  })

  it('refuses a request without grant_type with 400 invalid_request', async () => {
    expectError(await tokenRequest(server.url, { scope: 'read' }, withBasic()), 400, 'invalid_request')
  })

  it('refuses any grant_type but exactly client_credentials with 400 unsupported_grant_type', async () => {
    for (const grantType of ['password', 'client_credentials ', 'CLIENT_CREDENTIALS', 'authorization_code']) {
      const result = await tokenRequest(server.url, { grant_type: grantType }, withBasic())
      expect({ grantType, status: result.status, error: json(result).error }).toEqual({
        grantType,
        status: 400,
        error: 'unsupported_grant_type',
      })
    }
  })

  it('answers grant_type sent without a value as a missing one: 400 invalid_request (RFC 6749 §3.2)', async () => {
    const result = await tokenRequest(server.url, { grant_type: '' }, withBasic())
    expect({ status: result.status, error: json(result).error }).toEqual({ status: 400, error: 'invalid_request' })
  })

  it('refuses a parameter given twice with 400 invalid_request', async () => {
    const result = await call(server.url, '/oauth/token', {
      method: 'POST',
      headers: { ...form, ...withBasic() },
      body: 'grant_type=client_credentials&grant_type=client_credentials',
    })
    expectError(result, 400, 'invalid_request')
  })

  it('grants exactly the requested scope when it is within the key', async () => {
    const result = await tokenRequest(server.url, { ...grant, scope: 'write' }, withBasic())
    expect(result.status).toBe(200)
    expect(json(result).scope).toBe('write')
    expect(decodeJwt(String(json(result).access_token)).claims.scope).toBe('write')
  })

  it("grants the key's scopes when no scope is requested", async () => {
    const result = await tokenRequest(server.url, grant, withBasic())
    expect(json(result).scope).toBe('read write')
    expect(decodeJwt(String(json(result).access_token)).claims.scope).toBe('read write')
  })

  it('refuses a scope beyond the key with 400 invalid_scope', async () => {
    const readOnly = await createKey(server.manager, ['read'])
    expectError(
      await tokenRequest(server.url, { ...grant, scope: 'read write' }, withBasic(readOnly)),
      400,
      'invalid_scope',
    )
    expectError(await tokenRequest(server.url, { ...grant, scope: 'admin' }, withBasic()), 400, 'invalid_scope')
  })

  it('refuses a malformed scope with 400 invalid_scope', async () => {
    for (const scope of ['read  write', 'read "write"', ' read', 'read\\', 'read\twrite']) {
      const result = await tokenRequest(server.url, { ...grant, scope }, withBasic())
      expect({ scope, status: result.status, error: json(result).error }).toEqual({
        scope,
        status: 400,
        error: 'invalid_scope',
      })
    }
  })

  it('issues a token for resource equal to the issuer and refuses any other with 400 invalid_target', async () => {
    expect((await tokenRequest(server.url, { ...grant, resource: server.issuer }, withBasic())).status).toBe(200)
    const other = await tokenRequest(server.url, { ...grant, resource: 'https://other.example' }, withBasic())
    expectError(other, 400, 'invalid_target')
  })

  it('refuses a body over 8192 bytes with 400, with or without Content-Length', async () => {
    const padding = `&pad=${'a'.repeat(8200)}`
    const declared = await call(server.url, '/oauth/token', {
      method: 'POST',
      headers: { ...form, ...withBasic() },
      body: `grant_type=client_credentials${padding}`,
    })
    expectError(declared, 400, 'invalid_request')
    const chunked = await rawCall(server.url, '/oauth/token', {
      method: 'POST',
      headers: { ...form, ...withBasic(), 'transfer-encoding': 'chunked' },
      chunks: [
        'grant_type=client_credentials',
        ...Array.from({ length: 9 }, (_, index) => `&pad${index}=${'a'.repeat(1000)}`),
      ],
    })
    expectError(chunked, 400, 'invalid_request')
    // The same request in chunks, but small, is granted: the size alone decided.
    const small = await rawCall(server.url, '/oauth/token', {
      method: 'POST',
      headers: { ...form, ...withBasic(), 'transfer-encoding': 'chunked' },
      chunks: [
        'grant_type=client_credentials',
        ...Array.from({ length: 7 }, (_, index) => `&pad${index}=${'a'.repeat(1000)}`),
      ],
    })
    expect(small.status).toBe(200)
  })

  it('refuses parameters in the query string with 400 invalid_request', async () => {
    const result = await call(server.url, '/oauth/token?grant_type=client_credentials', {
      method: 'POST',
      headers: { ...form, ...withBasic() },
      body: 'scope=read',
    })
    expectError(result, 400, 'invalid_request')
  })

  it('form-decodes the Basic id and secret (RFC 6749 §2.3.1)', async () => {
    const encode = (text: string): string => `%${text.charCodeAt(0).toString(16).toUpperCase()}${text.slice(1)}`
    expect(encode('lk_x')).toBe('%6Ck_x')
    const result = await tokenRequest(server.url, grant, { authorization: basic(encode(key.id), encode(key.secret)) })
    expect(result.status).toBe(200)
    expect(decodeJwt(String(json(result).access_token)).claims.sub).toBe(key.id)
  })

  it('issues an RFC 9068 JWT: at+jwt, EdDSA, a kid, and the claims of the key', async () => {
    const before = Math.floor(Date.now() / 1000)
    const result = await tokenRequest(server.url, { ...grant, scope: 'read' }, withBasic())
    const after = Math.floor(Date.now() / 1000)
    const { header, claims } = decodeJwt(String(json(result).access_token))
    expect(header).toEqual({ typ: 'at+jwt', alg: 'EdDSA', kid: expect.any(String) })
    expect(claims).toEqual({
      iss: server.issuer,
      sub: key.id,
      aud: server.issuer,
      client_id: key.id,
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      scope: 'read',
    })
    expect(claims.iat).toBeGreaterThanOrEqual(before)
    expect(claims.iat).toBeLessThanOrEqual(after)
    expect(claims.exp).toBe(Number(claims.iat) + 3600)
    expect(String(claims.jti).length).toBeGreaterThanOrEqual(16)
  })

  it('gives every token a distinct jti', async () => {
    const first = decodeJwt(String(json(await tokenRequest(server.url, grant, withBasic())).access_token))
    const second = decodeJwt(String(json(await tokenRequest(server.url, grant, withBasic())).access_token))
    expect(first.claims.jti).not.toBe(second.claims.jti)
  })

  it('issues a token that the protected API accepts', async () => {
    const token = String(json(await tokenRequest(server.url, grant, withBasic())).access_token)
    const result = await getTest(server.url, `Bearer ${token}`)
    expect(result.status).toBe(200)
    expect(json(result)).toMatchObject({ keyId: key.id, method: 'bearer' })
  })
})

describe('Discovery: JWKS and RFC 8414 metadata', () => {
  it('lists the kid of issued tokens in /.well-known/jwks.json, public parts only', async () => {
    const token = String(json(await tokenRequest(server.url, grant, withBasic())).access_token)
    const { kid } = decodeJwt(token).header
    const result = await call(server.url, '/.well-known/jwks.json')
    expect(result.status).toBe(200)
    const keys = json(result).keys as Record<string, unknown>[]
    const published = keys.find((jwk) => jwk.kid === kid)
    expect(published).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid })
    for (const jwk of keys) expect(jwk).not.toHaveProperty('d')
  })

  it('publishes the metadata at /.well-known/oauth-authorization-server', async () => {
    const result = await call(server.url, '/.well-known/oauth-authorization-server')
    expect(result.status).toBe(200)
    expect(json(result)).toMatchObject({
      issuer: server.issuer,
      token_endpoint: `${server.issuer}/oauth/token`,
      jwks_uri: `${server.issuer}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
    })
  })
})
