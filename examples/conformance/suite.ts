import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { type CliKey, cli, cliCreateKey } from './example-process.js'
import { basic, type HttpRequest, type HttpResult, json, revocationRequest, send, tokenRequest } from './http.js'

const bothChallenges = 'Basic realm="api", charset="UTF-8", Bearer realm="api"'
const basicChallenge = 'Basic realm="api", charset="UTF-8"'
const invalidTokenChallenge =
  'Bearer realm="api", error="invalid_token", error_description="The access token is not valid."'
const insufficientScopeChallenge =
  'Bearer realm="api", error="insufficient_scope", error_description="The request needs a scope the credentials lack.", scope="write"'
const invalidRequestChallenge =
  /^Bearer realm="api", error="invalid_request", error_description="[\x20\x21\x23-\x5B\x5D-\x7E]+"$/

/** The answers every adapter must give, recorded from examples/express; see {@link runConformanceSuite}. */
const referenceFile = new URL('./answers.json', import.meta.url)
/** The headers an adapter could get wrong; `date`, `content-length`, `connection`… are the server's business. */
const comparedHeaders = ['content-type', 'cache-control', 'pragma', 'www-authenticate', 'allow', 'retry-after']

/** What the suite needs besides the base URL. */
export interface ConformanceHelpers {
  /** The adapter under test, for messages. */
  readonly adapter: string
  /** The example's database URL, where the CLI creates and revokes keys. */
  databaseUrl(): string
  /** The issuer the example was started with. */
  readonly issuer: string
  /** What the example wrote to stdout so far. */
  stdout(): string
}

/** One answer with what differs from run to run (ids, secrets, tokens, signing keys) masked. */
interface RecordedAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * The walk-through and the error table of issue 7, over real loopback HTTP against a running
 * example: every status, `error` code, challenge and body, the token endpoint, scopes, revocation
 * with the real CLI, the JWKS and the metadata. Every answer is also recorded, masked, and compared
 * with `answers.json` (recorded from Express), so all adapters answer alike byte for byte.
 * Set `UPDATE_CONFORMANCE_ANSWERS=<adapter>` to rewrite that file from one adapter.
 */
export function runConformanceSuite(getBaseUrl: () => string, helpers: ConformanceHelpers): void {
  const masks = new Map<string, string>()
  const answers: Record<string, RecordedAnswer> = {}
  let rw: CliKey
  let ro: CliKey
  let revocable: CliKey
  let refused: Record<'disabled' | 'revoked' | 'inDisabledAccount', CliKey>

  async function ask(name: string, request: HttpRequest): Promise<HttpResult> {
    const result = await send(getBaseUrl(), request)
    expect(answers, `${name} is asked twice`).not.toHaveProperty(name)
    answers[name] = record(result, masks)
    return result
  }

  async function token(key: CliKey, form: Record<string, string> = {}): Promise<string> {
    const request = tokenRequest(
      { grant_type: 'client_credentials', ...form },
      { authorization: basic(key.id, key.secret) },
    )
    const result = await send(getBaseUrl(), request)
    expect(result.status, result.body).toBe(200)
    return String(json(result).access_token)
  }

  const getTest = (authorization?: string): HttpRequest => ({
    path: '/api/test',
    ...(authorization === undefined ? {} : { headers: { authorization } }),
  })
  const postTest = (authorization: string): HttpRequest => ({
    method: 'POST',
    path: '/api/test',
    headers: { authorization },
  })

  function expectError(result: HttpResult, status: number, error: string, challenge?: string | RegExp): void {
    expect({ status: result.status, error: json(result).error }).toEqual({ status, error })
    expect(result.headers['content-type']).toBe('application/json')
    expect(result.headers['cache-control']).toBe('no-store')
    if (challenge === undefined) expect(result.headers['www-authenticate']).toBeUndefined()
    else if (typeof challenge === 'string') expect(result.headers['www-authenticate']).toBe(challenge)
    else expect(result.headers['www-authenticate']).toMatch(challenge)
  }

  describe(`The conformance suite on ${helpers.adapter}`, () => {
    beforeAll(async () => {
      const url = helpers.databaseUrl()
      const [accountId, otherAccountId] = await Promise.all([
        cli(url, 'accounts', 'create', '--name', 'Acme'),
        cli(url, 'accounts', 'create', '--name', 'Umbrella'),
      ])
      const [rwKey, roKey, revocableKey, disabled, revoked, inDisabledAccount] = await Promise.all([
        cliCreateKey(url, accountId, 'read write'),
        cliCreateKey(url, accountId, 'read'),
        cliCreateKey(url, accountId, 'read write'),
        cliCreateKey(url, accountId, 'read'),
        cliCreateKey(url, accountId, 'read'),
        cliCreateKey(url, otherAccountId, 'read'),
      ])
      rw = rwKey
      ro = roKey
      revocable = revocableKey
      refused = { disabled, revoked, inDisabledAccount }
      await Promise.all([
        cli(url, 'keys', 'disable', disabled.id),
        cli(url, 'keys', 'revoke', revoked.id),
        cli(url, 'accounts', 'disable', otherAccountId),
      ])
      masks.set(accountId, '<account>').set(otherAccountId, '<other account>')
      for (const [name, key] of Object.entries({ rw, ro, revocable, ...refused })) {
        masks.set(key.id, `<${name} id>`).set(key.secret, `<${name} secret>`)
      }
    })

    describe('HTTP Basic and scopes on /api/test', () => {
      it('refuses a request without credentials with 401 and both challenges, without an error code', async () => {
        const result = await ask('no credentials', getTest())
        expectError(result, 401, 'unauthorized', bothChallenges)
      })

      it('answers GET with the key id for a valid id and secret', async () => {
        const result = await ask('GET with Basic', getTest(basic(rw.id, rw.secret)))
        expect(result.status).toBe(200)
        expect(json(result)).toEqual({ message: 'Hello from a Latchkey-secured API.', keyId: rw.id, method: 'basic' })
      })

      it('answers POST for a key with scope write', async () => {
        const result = await ask('POST with Basic, scope write', postTest(basic(rw.id, rw.secret)))
        expect(result.status).toBe(200)
        expect(json(result)).toEqual({ message: 'Written.', keyId: rw.id, scopes: ['read', 'write'] })
      })

      it('refuses POST for a key without scope write with 403 insufficient_scope and scope="write"', async () => {
        const result = await ask('POST with Basic, scope read', postTest(basic(ro.id, ro.secret)))
        expectError(result, 403, 'insufficient_scope', insufficientScopeChallenge)
        expect(json(result).scope).toBe('write')
      })

      it('answers a wrong secret, an unknown id, a disabled or revoked key and a disabled account with the same bytes', async () => {
        const results = [
          await ask(
            'Basic, wrong secret',
            getTest(basic(rw.id, `${rw.secret.slice(0, -1)}${rw.secret.endsWith('x') ? 'y' : 'x'}`)),
          ),
          await ask('Basic, unknown id', getTest(basic(`lk_${'A'.repeat(24)}`, rw.secret))),
          await ask('Basic, disabled key', getTest(basic(refused.disabled.id, refused.disabled.secret))),
          await ask('Basic, revoked key', getTest(basic(refused.revoked.id, refused.revoked.secret))),
          await ask(
            'Basic, disabled account',
            getTest(basic(refused.inDisabledAccount.id, refused.inDisabledAccount.secret)),
          ),
        ]
        const [reference] = results
        expectError(reference as HttpResult, 401, 'invalid_client', basicChallenge)
        for (const result of results) {
          expect({ status: result.status, headers: pick(result.headers), body: result.body }).toEqual({
            status: reference?.status,
            headers: pick(reference?.headers ?? {}),
            body: reference?.body,
          })
        }
      })

      it('refuses malformed Basic credentials with 400 invalid_request', async () => {
        expectError(
          await ask('Basic, not base64', getTest('Basic !!!')),
          400,
          'invalid_request',
          invalidRequestChallenge,
        )
        const noColon = `Basic ${Buffer.from(rw.id).toString('base64')}`
        expectError(await ask('Basic, no colon', getTest(noColon)), 400, 'invalid_request', invalidRequestChallenge)
      })

      it('refuses two Authorization lines with 400 invalid_request, even when both are valid', async () => {
        const authorization = basic(rw.id, rw.secret)
        const result = await ask('two Authorization lines', {
          path: '/api/test',
          headers: { authorization: [authorization, authorization] },
        })
        expectError(result, 400, 'invalid_request', invalidRequestChallenge)
        // Fetch adapters see the lines joined by `Headers`; the core splits them again, so all agree.
        expect(json(result).error_description).toBe('The request has more than one Authorization header.')
      })

      it('refuses an access_token in the query with 400 invalid_request', async () => {
        const result = await ask('access_token in the query', {
          path: '/api/test?access_token=abc',
          headers: { authorization: basic(rw.id, rw.secret) },
        })
        expectError(result, 400, 'invalid_request', invalidRequestChallenge)
      })

      it('answers an unknown scheme like a request without credentials', async () => {
        const result = await ask('unknown scheme', getTest('Digest username="a", realm="api", nonce="n"'))
        expectError(result, 401, 'unauthorized', bothChallenges)
      })
    })

    describe('The token endpoint POST /oauth/token (RFC 6749 §4.4)', () => {
      const grant = { grant_type: 'client_credentials' }

      it('issues a Bearer token for HTTP Basic client authentication, uncacheable, signed by a key of the JWKS', async () => {
        const result = await ask('token, Basic', tokenRequest(grant, { authorization: basic(rw.id, rw.secret) }))
        expect(result.status).toBe(200)
        expect(result.headers['content-type']).toBe('application/json')
        expect(result.headers['cache-control']).toBe('no-store')
        expect(result.headers.pragma).toBe('no-cache')
        const body = json(result)
        expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type'])
        expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read write' })

        const [head = '', payload = '', signature = ''] = String(body.access_token).split('.')
        const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as { kid: string; alg: string }
        const jwks = json(await send(getBaseUrl(), { path: '/.well-known/jwks.json' })) as { keys: { kid: string }[] }
        const jwk = jwks.keys.find((candidate) => candidate.kid === header.kid)
        expect(jwk, 'the token names a key of the JWKS').toBeDefined()
        const publicKey = crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: 'jwk' })
        expect(header.alg).toBe('EdDSA')
        expect(
          crypto.verify(null, Buffer.from(`${head}.${payload}`), publicKey, Buffer.from(signature, 'base64url')),
        ).toBe(true)
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
        expect(claims).toMatchObject({ iss: helpers.issuer, sub: rw.id, scope: 'read write' })
      })

      it('issues a token for client_id and client_secret in the body (client_secret_post)', async () => {
        const result = await ask(
          'token, client_secret_post',
          tokenRequest({ ...grant, client_id: rw.id, client_secret: rw.secret }),
        )
        expect(result.status).toBe(200)
        expect(json(result).token_type).toBe('Bearer')
      })

      it('answers another method with 405 and Allow: POST', async () => {
        const result = await ask('token, GET', {
          path: '/oauth/token',
          headers: { authorization: basic(rw.id, rw.secret) },
        })
        expect(result.status).toBe(405)
        expect(result.headers.allow).toBe('POST')
        expect(json(result).error).toBe('invalid_request')
      })

      it('refuses a body that is not form-urlencoded with 400 invalid_request', async () => {
        const result = await ask('token, JSON body', {
          method: 'POST',
          path: '/oauth/token',
          headers: { 'content-type': 'application/json', authorization: basic(rw.id, rw.secret) },
          body: JSON.stringify(grant),
        })
        expectError(result, 400, 'invalid_request')
        expect(result.headers.pragma).toBe('no-cache')
      })

      it('refuses another grant type with 400 unsupported_grant_type', async () => {
        const result = await ask(
          'token, password grant',
          tokenRequest(
            { grant_type: 'password', username: 'a', password: 'b' },
            { authorization: basic(rw.id, rw.secret) },
          ),
        )
        expectError(result, 400, 'unsupported_grant_type')
      })

      it('refuses a scope the key lacks with 400 invalid_scope', async () => {
        const result = await ask(
          'token, scope beyond the key',
          tokenRequest({ ...grant, scope: 'write' }, { authorization: basic(ro.id, ro.secret) }),
        )
        expectError(result, 400, 'invalid_scope')
      })

      it('refuses a repeated parameter with 400 invalid_request', async () => {
        const result = await ask(
          'token, repeated grant_type',
          tokenRequest('grant_type=client_credentials&grant_type=client_credentials', {
            authorization: basic(rw.id, rw.secret),
          }),
        )
        expectError(result, 400, 'invalid_request')
      })

      it('refuses HTTP Basic and a body secret together with 400 invalid_request', async () => {
        const result = await ask(
          'token, Basic and body secret',
          tokenRequest(
            { ...grant, client_id: rw.id, client_secret: rw.secret },
            { authorization: basic(rw.id, rw.secret) },
          ),
        )
        expectError(result, 400, 'invalid_request')
      })

      it('refuses a request without client authentication with 401 invalid_client and a Basic challenge', async () => {
        const result = await ask('token, no client', tokenRequest(grant))
        expectError(result, 401, 'invalid_client', basicChallenge)
      })

      it('refuses a wrong secret with 401 invalid_client, as on the API', async () => {
        const result = await ask(
          'token, wrong secret',
          tokenRequest(grant, { authorization: basic(rw.id, `${rw.secret}x`) }),
        )
        expectError(result, 401, 'invalid_client', basicChallenge)
      })
    })

    describe('Bearer access tokens on /api/test (RFC 6750)', () => {
      let readToken: string
      let writeToken: string

      beforeAll(async () => {
        ;[readToken, writeToken] = await Promise.all([token(rw, { scope: 'read' }), token(rw)])
      })

      it('answers GET with the key id for an issued token', async () => {
        const result = await ask('GET with Bearer', getTest(`Bearer ${readToken}`))
        expect(result.status).toBe(200)
        expect(json(result)).toEqual({ message: 'Hello from a Latchkey-secured API.', keyId: rw.id, method: 'bearer' })
      })

      it('accepts the scheme name in any case', async () => {
        expect((await ask('GET with bearer (lower case)', getTest(`bearer ${readToken}`))).status).toBe(200)
        expect((await ask('GET with BEARER (upper case)', getTest(`BEARER ${readToken}`))).status).toBe(200)
      })

      it('refuses a token whose signature was changed with 401 invalid_token', async () => {
        const [head, payload, signature = ''] = readToken.split('.')
        const tampered = `${head}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`
        expectError(
          await ask('Bearer, tampered', getTest(`Bearer ${tampered}`)),
          401,
          'invalid_token',
          invalidTokenChallenge,
        )
      })

      it('refuses a malformed token with 400 invalid_request', async () => {
        expectError(
          await ask('Bearer, malformed', getTest('Bearer a b')),
          400,
          'invalid_request',
          invalidRequestChallenge,
        )
      })

      it('refuses POST with a token of scope read with 403 insufficient_scope', async () => {
        const result = await ask('POST with Bearer, scope read', postTest(`Bearer ${readToken}`))
        expectError(result, 403, 'insufficient_scope', insufficientScopeChallenge)
      })

      it('answers POST with a token of scope write', async () => {
        const result = await ask('POST with Bearer, scope write', postTest(`Bearer ${writeToken}`))
        expect(result.status).toBe(200)
        expect(json(result)).toEqual({ message: 'Written.', keyId: rw.id, scopes: ['read', 'write'] })
      })
    })

    describe('Discovery', () => {
      it('serves the JWKS, cacheable, without private parts', async () => {
        const result = await ask('JWKS', { path: '/.well-known/jwks.json' })
        expect(result.status).toBe(200)
        expect(result.headers['content-type']).toBe('application/json')
        expect(result.headers['cache-control']).toBe('public, max-age=300')
        const { keys } = json(result) as { keys: Record<string, unknown>[] }
        expect(keys.length).toBeGreaterThan(0)
        for (const key of keys) expect(key).not.toHaveProperty('d')
      })

      it('serves the RFC 8414 metadata of the issuer', async () => {
        const result = await ask('metadata', { path: '/.well-known/oauth-authorization-server' })
        expect(result.status).toBe(200)
        expect(json(result)).toMatchObject({
          issuer: helpers.issuer,
          token_endpoint: `${helpers.issuer}/oauth/token`,
          jwks_uri: `${helpers.issuer}/.well-known/jwks.json`,
          grant_types_supported: ['client_credentials'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          scopes_supported: ['read', 'write'],
          revocation_endpoint: `${helpers.issuer}/oauth/revoke`,
          revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        })
      })

      it('answers POST on the JWKS with 405 and Allow: GET, HEAD', async () => {
        const result = await ask('JWKS, POST', { method: 'POST', path: '/.well-known/jwks.json' })
        expect(result.status).toBe(405)
        expect(result.headers.allow).toBe('GET, HEAD')
      })
    })

    describe('Token revocation POST /oauth/revoke (RFC 7009)', () => {
      /** Sends `request` until its status is `status`, for at most 5 s: a revocation reaches every verifier within the store's bound. */
      async function askUntil(label: string, request: HttpRequest, status: number): Promise<HttpResult> {
        const started = performance.now()
        let result = await send(getBaseUrl(), request)
        while (result.status !== status && performance.now() - started < 5000) {
          await new Promise((resolve) => setTimeout(resolve, 20))
          result = await send(getBaseUrl(), request)
        }
        answers[label] = record(result, masks)
        return result
      }

      it('revokes a token of the client itself, answering 200 with an empty JSON object, and leaves its other tokens alone', async () => {
        const [revokedToken, otherToken] = await Promise.all([
          token(rw, { scope: 'read' }),
          token(rw, { scope: 'read' }),
        ])
        expect((await send(getBaseUrl(), getTest(`Bearer ${revokedToken}`))).status).toBe(200)
        const result = await ask(
          'revocation, own token',
          revocationRequest(
            { token: revokedToken, token_type_hint: 'access_token' },
            { authorization: basic(rw.id, rw.secret) },
          ),
        )
        expect(result.status).toBe(200)
        expect(result.body).toBe('{}')
        expect(result.headers['cache-control']).toBe('no-store')
        const refusedResult = await askUntil('revocation, the revoked token', getTest(`Bearer ${revokedToken}`), 401)
        expectError(refusedResult, 401, 'invalid_token', invalidTokenChallenge)
        expect((await send(getBaseUrl(), getTest(`Bearer ${otherToken}`))).status).toBe(200)
        expect((await send(getBaseUrl(), getTest(basic(rw.id, rw.secret)))).status).toBe(200)
      })

      it("answers another client's token, a forged or a malformed one with the same 200, and revokes nothing", async () => {
        const issued = await token(rw, { scope: 'read' })
        const [head, payload, signature = ''] = issued.split('.')
        const forged = `${head}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`
        const asRo = { authorization: basic(ro.id, ro.secret) }
        const results = [
          await ask("revocation, another client's token", revocationRequest({ token: issued }, asRo)),
          await ask('revocation, forged token', revocationRequest({ token: forged }, asRo)),
          await ask('revocation, malformed token', revocationRequest({ token: 'not-a-token' }, asRo)),
          await ask(
            'revocation, client_secret_post',
            revocationRequest({ token: 'x', client_id: ro.id, client_secret: ro.secret }),
          ),
        ]
        for (const result of results)
          expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: '{}' })
        await new Promise((resolve) => setTimeout(resolve, 100))
        expect((await send(getBaseUrl(), getTest(`Bearer ${issued}`))).status).toBe(200)
      })

      it('refuses a request without client authentication or with a wrong secret with 401 invalid_client', async () => {
        const issued = await token(rw, { scope: 'read' })
        expectError(
          await ask('revocation, no client', revocationRequest({ token: issued })),
          401,
          'invalid_client',
          basicChallenge,
        )
        expectError(
          await ask(
            'revocation, wrong secret',
            revocationRequest({ token: issued }, { authorization: basic(rw.id, `${rw.secret}x`) }),
          ),
          401,
          'invalid_client',
          basicChallenge,
        )
        expect((await send(getBaseUrl(), getTest(`Bearer ${issued}`))).status).toBe(200)
      })

      it('refuses a request without a token with 400 invalid_request, and another method with 405', async () => {
        const authorization = basic(rw.id, rw.secret)
        expectError(await ask('revocation, no token', revocationRequest({}, { authorization })), 400, 'invalid_request')
        const result = await ask('revocation, GET', { path: '/oauth/revoke', headers: { authorization } })
        expect(result.status).toBe(405)
        expect(result.headers.allow).toBe('POST')
      })
    })

    describe('Revocation with the real CLI', () => {
      it('refuses Basic, the issued token and token requests at the next request after `latchkey keys revoke`', async () => {
        const issued = await token(revocable)
        const authorization = basic(revocable.id, revocable.secret)
        expect((await send(getBaseUrl(), getTest(authorization))).status).toBe(200)
        expect((await send(getBaseUrl(), getTest(`Bearer ${issued}`))).status).toBe(200)

        await cli(helpers.databaseUrl(), 'keys', 'revoke', revocable.id)

        expectError(await ask('revoked, Basic', getTest(authorization)), 401, 'invalid_client', basicChallenge)
        expectError(
          await ask('revoked, Bearer', getTest(`Bearer ${issued}`)),
          401,
          'invalid_token',
          invalidTokenChallenge,
        )
        const tokenResult = await ask(
          'revoked, token request',
          tokenRequest({ grant_type: 'client_credentials' }, { authorization }),
        )
        expectError(tokenResult, 401, 'invalid_client', basicChallenge)
      })
    })

    describe('Across adapters', () => {
      it('logs one line per request, with the key id once proven and never a secret', () => {
        const stdout = helpers.stdout()
        expect(stdout).toMatch(new RegExp(`^GET /api/test 200 ${rw.id} \\d+\\.\\dms$`, 'm'))
        expect(stdout).toMatch(/^GET \/api\/test 401 - \d+\.\dms$/m)
        expect(stdout).toMatch(/^POST \/oauth\/token 200 - \d+\.\dms$/m)
        expect(stdout).not.toContain(rw.secret)
      })

      it('gives every answer byte for byte as the reference recorded from Express (answers.json)', () => {
        if (process.env.UPDATE_CONFORMANCE_ANSWERS === helpers.adapter) {
          fs.writeFileSync(referenceFile, `${JSON.stringify(answers, null, 2)}\n`)
        }
        const reference = JSON.parse(fs.readFileSync(referenceFile, 'utf8')) as Record<string, RecordedAnswer>
        expect(answers).toEqual(reference)
      })
    })
  })
}

function pick(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    comparedHeaders.flatMap((name) => (headers[name] === undefined ? [] : [[name, headers[name]]])),
  )
}

function record(result: HttpResult, masks: ReadonlyMap<string, string>): RecordedAnswer {
  let body = result.body
  for (const [value, mask] of masks) body = body.replaceAll(value, mask)
  body = body.replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '<token>').replace(/"(kid|x|n)":"[^"]*"/g, '"$1":"<$1>"')
  return { status: result.status, headers: pick(result.headers), body }
}
