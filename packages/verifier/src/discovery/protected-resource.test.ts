import { describe, expect, it } from 'vitest'
import { respond } from '../../test/respond.js'
import { createVerifier, LatchkeyError, type VerifierOptions } from '../index.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'

const issuer = 'https://auth.example.test'

function verifierWith(options: Partial<VerifierOptions> = {}) {
  return createVerifier({ store: new MemoryKeyStore(), issuer, scopesSupported: ['read', 'write'], ...options })
}

const challengeOf = async (verifier: ReturnType<typeof createVerifier>, authorization: string[]) => {
  const result = await verifier.authenticate({ authorization })
  if (result.ok) throw new Error('expected a refusal')
  return verifier.answerError(result.error).headers['WWW-Authenticate']
}

describe('RFC 9728 protected-resource metadata', () => {
  it('is off by default: no path, and challenges without resource_metadata', async () => {
    const verifier = verifierWith()
    expect(verifier.paths).not.toHaveProperty('protectedResource')
    expect(await verifier.answer(new Request(`${issuer}/.well-known/oauth-protected-resource`))).toBeUndefined()
    expect(await challengeOf(verifier, [])).toBe('Basic realm="api", charset="UTF-8", Bearer realm="api"')
  })

  it('serves the metadata of the audience and names it in every Bearer challenge of a resource', async () => {
    const audience = 'https://api.example.test'
    const verifier = verifierWith({
      audience,
      protectedResource: { resourceName: 'Acme API', resourceDocumentation: 'https://docs.example.test/api' },
    })
    expect(verifier.paths.protectedResource).toBe('/.well-known/oauth-protected-resource')
    const response = await respond(verifier, new Request(`${audience}/.well-known/oauth-protected-resource`))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toEqual({
      resource: audience,
      authorization_servers: [issuer],
      bearer_methods_supported: ['header'],
      scopes_supported: ['read', 'write'],
      resource_name: 'Acme API',
      resource_documentation: 'https://docs.example.test/api',
    })
    const metadata = 'resource_metadata="https://api.example.test/.well-known/oauth-protected-resource"'
    expect(await challengeOf(verifier, [])).toBe(`Basic realm="api", charset="UTF-8", Bearer realm="api", ${metadata}`)
    expect(await challengeOf(verifier, ['Bearer a.b.c'])).toBe(
      `Bearer realm="api", ${metadata}, error="invalid_token", error_description="The access token is not valid."`,
    )
    const scope = verifier.answerError(new LatchkeyError('ERR_INSUFFICIENT_SCOPE', 'x', { scope: ['write'] }))
    expect(scope.headers['WWW-Authenticate']).toMatch(
      new RegExp(`^Bearer realm="api", ${metadata}, error="insufficient_scope"`),
    )
    // Client authentication is Basic (RFC 6749 §2.3.1): no resource there.
    const missingClient = verifier.answerError(new LatchkeyError('ERR_CREDENTIALS_MISSING', 'x'), 'token')
    expect(missingClient.headers['WWW-Authenticate']).toBe('Basic realm="api", charset="UTF-8"')
    const post = await respond(
      verifier,
      new Request(`${audience}/.well-known/oauth-protected-resource`, { method: 'POST' }),
    )
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
  })

  it("puts the audience's path after the well-known segment (RFC 9728 §3.1)", async () => {
    const verifier = verifierWith({ audience: 'https://api.example.test/v1/', protectedResource: true })
    expect(verifier.paths.protectedResource).toBe('/.well-known/oauth-protected-resource/v1')
    const response = await respond(
      verifier,
      new Request('https://api.example.test/.well-known/oauth-protected-resource/v1'),
    )
    expect(((await response.json()) as { resource: string }).resource).toBe('https://api.example.test/v1/')
    expect(await challengeOf(verifier, [])).toContain(
      'resource_metadata="https://api.example.test/.well-known/oauth-protected-resource/v1"',
    )
  })

  it('defaults the resource to the issuer, and refuses what cannot be a resource identifier', () => {
    expect(verifierWith({ protectedResource: true }).paths.protectedResource).toBe(
      '/.well-known/oauth-protected-resource',
    )
    expect(() => verifierWith({ audience: 'urn:acme:api', protectedResource: true })).toThrow(/absolute http\(s\) URL/)
    expect(() => verifierWith({ audience: 'https://api.example.test/?v=1', protectedResource: true })).toThrow(
      TypeError,
    )
    expect(() => verifierWith({ protectedResource: { resourceDocumentation: 'docs' } })).toThrow(
      'protectedResource.resourceDocumentation must be an absolute http or https URL.',
    )
    expect(() => verifierWith({ protectedResource: { resourceName: 'a\nb' } })).toThrow(TypeError)
    expect(verifierWith({ audience: 'urn:acme:api', protectedResource: false }).paths).not.toHaveProperty(
      'protectedResource',
    )
  })
})
