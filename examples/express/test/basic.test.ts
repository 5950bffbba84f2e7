import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  basicBytes,
  call,
  createKey,
  createRefusedKeys,
  expectIdenticalAnswers,
  getTest,
  type HttpResult,
  json,
  rawCall,
  rawSocket,
  startServer,
  type TestKey,
  type TestServer,
  wrongSecret,
} from './harness.js'

const bothChallenges = 'Basic realm="api", charset="UTF-8", Bearer realm="api"'

let server: TestServer
let key: TestKey

beforeAll(async () => {
  server = await startServer()
  key = await createKey(server.manager, ['read'])
})

afterAll(async () => {
  await server?.stop()
})

function expectInvalidRequest(result: HttpResult): void {
  expect(result.status).toBe(400)
  expect(json(result).error).toBe('invalid_request')
  expect(result.headers['www-authenticate']).toMatch(
    /^Bearer realm="api", error="invalid_request", error_description="[\x20\x21\x23-\x5B\x5D-\x7E]+"$/,
  )
}

/** A base64 text that decodes to the same bytes as `canonical` but differs in its unused pad bits. */
function nonCanonical(canonical: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  const data = canonical.replace(/=+$/, '')
  const last = alphabet.indexOf(data.at(-1) ?? '')
  const changed = `${data.slice(0, -1)}${alphabet[last ^ 1]}${canonical.slice(data.length)}`
  // The check of the test itself: a lenient decoder reads the very same bytes.
  expect(Buffer.from(changed, 'base64').equals(Buffer.from(canonical, 'base64'))).toBe(true)
  expect(changed).not.toBe(canonical)
  return changed
}

describe('HTTP Basic on GET /api/test (RFC 7617)', () => {
  it('answers 200 with the key id for a valid id and secret', async () => {
    const result = await getTest(server.url, basic(key.id, key.secret))
    expect(result.status).toBe(200)
    expect(json(result)).toMatchObject({ keyId: key.id, method: 'basic' })
  })

  it('accepts the scheme name in any case', async () => {
    const credentials = basic(key.id, key.secret).slice('Basic '.length)
    for (const scheme of ['basic', 'BASIC', 'bAsIc']) {
      const result = await getTest(server.url, `${scheme} ${credentials}`)
      expect(result.status, scheme).toBe(200)
      expect(json(result).keyId).toBe(key.id)
    }
  })

  it('answers a request without credentials with 401 and both challenges, without an error code', async () => {
    const result = await getTest(server.url)
    expect(result.status).toBe(401)
    expect(result.headers['www-authenticate']).toBe(bothChallenges)
    expect(result.headers['www-authenticate']).not.toContain('error=')
    // The adapter writes the core's headers as they are: Express must not append a charset.
    expect(result.headers['content-type']).toBe('application/json')
    expect(result.headers['cache-control']).toBe('no-store')
  })

  it('answers an unknown id, a wrong secret, a disabled or revoked key and a disabled account identically', async () => {
    const { revoked, disabled, inDisabledAccount } = await createRefusedKeys(server.manager)
    const unknownId = `lk_${'A'.repeat(24)}`

    const answers = {
      unknownId: await getTest(server.url, basic(unknownId, key.secret)),
      wrongSecret: await getTest(server.url, basic(key.id, wrongSecret(key.secret))),
      disabledKey: await getTest(server.url, basic(disabled.id, disabled.secret)),
      revokedKey: await getTest(server.url, basic(revoked.id, revoked.secret)),
      disabledAccount: await getTest(server.url, basic(inDisabledAccount.id, inDisabledAccount.secret)),
    }
    const reference = answers.unknownId
    expect(reference.status).toBe(401)
    expect(reference.headers['www-authenticate']).toMatch(/^Basic realm="api"/)
    expectIdenticalAnswers(reference, answers)
  })

  it('refuses malformed base64 with 400 invalid_request', async () => {
    for (const credentials of ['!!!', 'abc', 'YWJj=', 'YW Jj', 'YWJj?==']) {
      const result = await getTest(server.url, `Basic ${credentials}`)
      expectInvalidRequest(result)
    }
  })

  it('refuses base64 whose unused pad bits are set, though it decodes to the right id and secret', async () => {
    // id:secret with a length that leaves a partial quantum, so there are pad bits to set.
    let text = `${key.id}:${key.secret}`
    if (text.length % 3 === 0) text = `${key.id}:${key.secret}x`
    const canonical = Buffer.from(text).toString('base64')
    const result = await getTest(server.url, `Basic ${nonCanonical(canonical)}`)
    expectInvalidRequest(result)
  })

  it('refuses credentials without a colon with 400 invalid_request', async () => {
    expectInvalidRequest(await getTest(server.url, `Basic ${Buffer.from(key.id + key.secret).toString('base64')}`))
  })

  it('refuses credentials that are not valid UTF-8 with 400 invalid_request', async () => {
    const bytes = [...Buffer.from(`${key.id}:`), 0xc3, 0x28]
    expectInvalidRequest(await getTest(server.url, basicBytes(bytes)))
  })

  it('refuses control characters in the id or the secret with 400 invalid_request', async () => {
    const cases = [
      basic(`${key.id}\u0001`, key.secret),
      basic(key.id, `${key.secret}\u0001`),
      basic(key.id, `${key.secret}\u007f`),
      basic(`\u0000${key.id}`, key.secret),
      basic(key.id, `${key.secret}\u0085`),
      basic(key.id, `${key.secret}\t`),
    ]
    for (const authorization of cases) expectInvalidRequest(await getTest(server.url, authorization))
  })

  it('splits at the first colon, so a colon in the secret is part of the secret', async () => {
    const extra = await getTest(server.url, basic(key.id, `${key.secret}:x`))
    expect(extra.status).toBe(401)
    expect(json(extra).error).toBe('invalid_client')

    const colonSecret = await getTest(server.url, basic(key.id, 'secret:extra'))
    expect(colonSecret.status).toBe(401)
    expect(json(colonSecret).error).toBe('invalid_client')
  })

  it('answers an unsupported scheme like a request without credentials', async () => {
    const result = await getTest(server.url, 'Digest username="a", realm="api", nonce="n", uri="/", response="r"')
    expect(result.status).toBe(401)
    expect(result.headers['www-authenticate']).toBe(bothChallenges)
  })

  it('refuses two Authorization headers with 400 invalid_request, even when both are valid', async () => {
    const authorization = basic(key.id, key.secret)
    const result = await rawCall(server.url, '/api/test', {
      headers: { authorization: [authorization, authorization] },
    })
    expectInvalidRequest(result)
  })

  it('refuses raw bytes outside ASCII in the header with 400 invalid_request', async () => {
    const head = Buffer.concat([
      Buffer.from('GET /api/test HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic '),
      Buffer.from([0xff, 0xfe, 0x41, 0x41]),
    ])
    const result = await rawSocket(server.url, head)
    expect(result.status).toBe(400)
    expect(result.text).toContain('"error":"invalid_request"')
  })

  it('refuses an Authorization header longer than 8192 characters with 400 invalid_request', async () => {
    const justUnder = basic(key.id, key.secret.padEnd(5900, 'a'))
    expect(justUnder.length).toBeLessThanOrEqual(8192)
    // Read, and refused as a wrong secret.
    expect((await getTest(server.url, justUnder)).status).toBe(401)
    const over = basic(key.id, key.secret.padEnd(6200, 'a'))
    expect(over.length).toBeGreaterThan(8192)
    expectInvalidRequest(await getTest(server.url, over))
  })

  it('does not form-decode Basic credentials outside the token endpoint', async () => {
    const encoded = `%${key.id.charCodeAt(0).toString(16)}${key.id.slice(1)}`
    const result = await getTest(server.url, basic(encoded, key.secret))
    expect(result.status).toBe(401)
  })

  it('refuses an access_token in the query string with 400 invalid_request', async () => {
    const withBasic = await call(server.url, '/api/test?access_token=abc', {
      headers: { authorization: basic(key.id, key.secret) },
    })
    expectInvalidRequest(withBasic)
    expectInvalidRequest(await call(server.url, '/api/test?access_token=abc'))
  })
})
