import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  call,
  createKey,
  getTest,
  getToken,
  type HttpResult,
  json,
  stableHeaders,
  startServer,
  type TestKey,
  type TestServer,
} from './harness.js'
import {
  decodeJwt,
  encodeSegment,
  foreignEd25519Jwk,
  serverSigningKey,
  signEdDsa,
  signHs256,
  validClaims,
} from './jwt.js'

const invalidTokenChallenge =
  'Bearer realm="api", error="invalid_token", error_description="The access token is not valid."'

let server: TestServer
let key: TestKey
let token: string
let signing: Awaited<ReturnType<typeof serverSigningKey>>

beforeAll(async () => {
  server = await startServer()
  key = await createKey(server.manager, ['read', 'write'])
  token = await getToken(server.url, key, { scope: 'read' })
  signing = await serverSigningKey(server.store)
})

afterAll(async () => {
  await server?.stop()
})

const header = (): Record<string, unknown> => ({ alg: 'EdDSA', typ: 'at+jwt', kid: signing.kid })

function bearer(value: string): Promise<HttpResult> {
  return getTest(server.url, `Bearer ${value}`)
}

function expectInvalidToken(result: HttpResult): void {
  expect(result.status).toBe(401)
  expect(result.headers['www-authenticate']).toBe(invalidTokenChallenge)
  expect(json(result).error).toBe('invalid_token')
}

function expectInvalidRequest(result: HttpResult): void {
  expect(result.status).toBe(400)
  expect(json(result).error).toBe('invalid_request')
  expect(result.headers['www-authenticate']).toMatch(
    /^Bearer realm="api", error="invalid_request", error_description="/,
  )
}

describe('Bearer access tokens on GET /api/test (RFC 6750, RFC 8725)', () => {
  it('answers 200 with the key id for an issued token', async () => {
    const result = await bearer(token)
    expect(result.status).toBe(200)
    expect(json(result)).toMatchObject({ keyId: key.id, method: 'bearer' })
  })

  it('accepts the scheme name in any case', async () => {
    for (const scheme of ['bearer', 'BEARER']) {
      expect((await getTest(server.url, `${scheme} ${token}`)).status, scheme).toBe(200)
    }
  })

  it('accepts a token built here with the real key and the claims the server issues (control for the forgeries below)', async () => {
    const forged = signEdDsa(header(), validClaims(server.issuer, key.id), signing.privateJwk)
    const result = await bearer(forged)
    expect(result.status).toBe(200)
    expect(json(result).keyId).toBe(key.id)
  })

  it('refuses a token whose payload was changed after signing', async () => {
    const [head, , signature] = token.split('.')
    const claims = { ...decodeJwt(token).claims, scope: 'read write' }
    expectInvalidToken(await bearer(`${head}.${encodeSegment(claims)}.${signature}`))
  })

  it('refuses a token whose signature was changed', async () => {
    const [head, payload, signature = ''] = token.split('.')
    // The first character carries only significant bits, so the signature bytes really change.
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1)
    expectInvalidToken(await bearer(`${head}.${payload}.${flipped}`))
  })

  it('refuses an unsigned token (alg none), with and without the empty signature part', async () => {
    const claims = encodeSegment(validClaims(server.issuer, key.id))
    const none = encodeSegment({ alg: 'none', typ: 'at+jwt', kid: signing.kid })
    expectInvalidToken(await bearer(`${none}.${claims}.`))
    expectInvalidToken(await bearer(`${none}.${claims}`))
  })

  it('refuses a token signed by another Ed25519 key under the same kid', async () => {
    expectInvalidToken(await bearer(signEdDsa(header(), validClaims(server.issuer, key.id), foreignEd25519Jwk())))
  })

  it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const claims = validClaims(server.issuer, key.id)
    const hsHeader = { alg: 'HS256', typ: 'at+jwt', kid: signing.kid }
    expectInvalidToken(await bearer(signHs256(hsHeader, claims, String(signing.publicJwk.x))))
    expectInvalidToken(await bearer(signHs256(hsHeader, claims, JSON.stringify(signing.publicJwk))))
  })

  it('refuses a token of another type than at+jwt', async () => {
    const claims = validClaims(server.issuer, key.id)
    expectInvalidToken(await bearer(signEdDsa({ ...header(), typ: 'JWT' }, claims, signing.privateJwk)))
    const { typ: _, ...untyped } = header()
    expectInvalidToken(await bearer(signEdDsa(untyped, claims, signing.privateJwk)))
  })

  it('refuses a token from another issuer', async () => {
    const claims = { ...validClaims(server.issuer, key.id), iss: 'https://evil.example' }
    expectInvalidToken(await bearer(signEdDsa(header(), claims, signing.privateJwk)))
  })

  it('refuses a token for another audience', async () => {
    const claims = { ...validClaims(server.issuer, key.id), aud: 'https://other.example' }
    expectInvalidToken(await bearer(signEdDsa(header(), claims, signing.privateJwk)))
  })

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000)
    const claims = { ...validClaims(server.issuer, key.id), iat: now - 7200, exp: now - 3600 }
    expectInvalidToken(await bearer(signEdDsa(header(), claims, signing.privateJwk)))
  })

  it('refuses a token without exp, or whose client_id differs from sub', async () => {
    const { exp: _, ...noExp } = validClaims(server.issuer, key.id)
    expectInvalidToken(await bearer(signEdDsa(header(), noExp, signing.privateJwk)))
    const other = await createKey(server.manager)
    const mixed = { ...validClaims(server.issuer, key.id), client_id: other.id }
    expectInvalidToken(await bearer(signEdDsa(header(), mixed, signing.privateJwk)))
  })

  it('refuses a token without a kid, or with an unknown kid', async () => {
    const claims = validClaims(server.issuer, key.id)
    const { kid: _, ...noKid } = header()
    expectInvalidToken(await bearer(signEdDsa(noKid, claims, signing.privateJwk)))
    expectInvalidToken(await bearer(signEdDsa({ ...header(), kid: 'no-such-kid' }, claims, signing.privateJwk)))
  })

  it('refuses a validly signed token for a key id that does not exist', async () => {
    const ghost = `lk_${'C'.repeat(24)}`
    expectInvalidToken(await bearer(signEdDsa(header(), validClaims(server.issuer, ghost), signing.privateJwk)))
  })

  it('accepts a token expired 3 s ago (clock tolerance) and refuses one expired 10 s ago', async () => {
    const now = Math.floor(Date.now() / 1000)
    const recent = { ...validClaims(server.issuer, key.id), iat: now - 3603, exp: now - 3 }
    expect((await bearer(signEdDsa(header(), recent, signing.privateJwk))).status).toBe(200)
    const older = { ...validClaims(server.issuer, key.id), iat: now - 3610, exp: now - 10 }
    expectInvalidToken(await bearer(signEdDsa(header(), older, signing.privateJwk)))
  })

  it("answers a forged, an expired and a revoked key's token with the same bytes", async () => {
    const now = Math.floor(Date.now() / 1000)
    const revoked = await createKey(server.manager)
    const revokedToken = await getToken(server.url, revoked)
    await server.manager.revokeApiKey(revoked.id)
    const answers = [
      await bearer(signEdDsa(header(), validClaims(server.issuer, key.id), foreignEd25519Jwk())),
      await bearer(signEdDsa(header(), { ...validClaims(server.issuer, key.id), exp: now - 60 }, signing.privateJwk)),
      await bearer(revokedToken),
    ]
    for (const answer of answers) {
      expectInvalidToken(answer)
      expect({ headers: stableHeaders(answer), body: answer.body }).toEqual({
        headers: stableHeaders(answers[0] as HttpResult),
        body: (answers[0] as HttpResult).body,
      })
    }
  })

  it('refuses a malformed Authorization value with 400 invalid_request', async () => {
    expectInvalidRequest(await getTest(server.url, `Bearer ${token.slice(0, 20)} ${token.slice(20)}`))
    expectInvalidRequest(await getTest(server.url, 'Bearer'))
    expectInvalidRequest(await getTest(server.url, 'Bearer ="abc"'))
  })
})

describe('Scopes on POST /api/test, which requires write', () => {
  it('answers 403 insufficient_scope naming the scope for a token without write', async () => {
    const result = await call(server.url, '/api/test', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(result.status).toBe(403)
    expect(json(result)).toMatchObject({ error: 'insufficient_scope', scope: 'write' })
    expect(result.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="insufficient_scope"/)
    expect(result.headers['www-authenticate']).toContain('scope="write"')
  })

  it('answers 200 for a token with write', async () => {
    const writer = await getToken(server.url, key, { scope: 'write' })
    const result = await call(server.url, '/api/test', {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}` },
    })
    expect(result.status).toBe(200)
    expect(json(result)).toMatchObject({ keyId: key.id, scopes: ['write'] })
  })

  it('answers 403 for Basic credentials of a key without write, and 200 for a key with it', async () => {
    const reader = await createKey(server.manager, ['read'])
    const refused = await call(server.url, '/api/test', {
      method: 'POST',
      headers: { authorization: basic(reader.id, reader.secret) },
    })
    expect(refused.status).toBe(403)
    expect(refused.headers['www-authenticate']).toContain('error="insufficient_scope"')
    const allowed = await call(server.url, '/api/test', {
      method: 'POST',
      headers: { authorization: basic(key.id, key.secret) },
    })
    expect(allowed.status).toBe(200)
  })
})

describe('Signing keys that expire', () => {
  let clock = Date.now()
  let rotating: TestServer

  beforeAll(async () => {
    rotating = await startServer({ verifier: { now: () => clock } })
    // A signing key that is retired a minute from now, stored before the server loads any.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    await rotating.store.insertSigningKey({
      kid: 'retiring-key',
      alg: 'EdDSA',
      publicJwk: publicKey.export({ format: 'jwk' }),
      privateJwk: privateKey.export({ format: 'jwk' }),
      createdAt: new Date(clock),
      activatesAt: new Date(clock),
      expiresAt: new Date(clock + 60_000),
    })
  })

  afterAll(async () => {
    await rotating?.stop()
  })

  it('refuses every token of a signing key once the key has expired, also one accepted before', async () => {
    const owner = await createKey(rotating.manager)
    const seen = await getToken(rotating.url, owner)
    const unseen = await getToken(rotating.url, owner)
    expect(decodeJwt(seen).header.kid).toBe('retiring-key')
    expect((await getTest(rotating.url, `Bearer ${seen}`)).status).toBe(200)

    // Two minutes later the key is retired; both tokens would still be within their hour.
    clock += 120_000
    const results = {
      unseen: (await getTest(rotating.url, `Bearer ${unseen}`)).status,
      seen: (await getTest(rotating.url, `Bearer ${seen}`)).status,
    }
    expect(results).toEqual({ unseen: 401, seen: 401 })
  })
})
