import { describe, expect, it } from 'vitest'
import { respond } from '../../test/respond.js'
import { createVerifier, MemoryKeyStore } from '../index.js'
import { createKeyManager } from '../manage/index.js'

const issuer = 'https://api.example.test'

async function setUp() {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read', 'write'] })
  const verifier = createVerifier({ store, issuer })
  const basic = `Basic ${btoa(`${key.id}:${key.secret}`)}`
  const token = async (body: string, authorization: string | null = basic) => {
    const response = await respond(
      verifier,
      new Request(`${issuer}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(authorization === null ? {} : { authorization }),
        },
        body,
      }),
    )
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  return { key, token }
}

/** RFC 6749 §3.2: "Parameters sent without a value MUST be treated as if they were omitted from the request." */
describe('The token endpoint treats a parameter sent without a value as omitted', () => {
  it('answers grant_type= as a missing grant_type: invalid_request, not unsupported_grant_type', async () => {
    const { token } = await setUp()
    const answer = await token('grant_type=')
    expect(answer.status).toBe(400)
    expect(answer.body.error).toBe('invalid_request')
    expect(answer.body).toEqual((await token('')).body)
  })

  it("grants the key's own scopes for scope=, as for no scope at all", async () => {
    const { token } = await setUp()
    const answer = await token('grant_type=client_credentials&scope=')
    expect(answer.status).toBe(200)
    expect(answer.body.scope).toBe('read write')
  })

  it('accepts client_secret= beside Basic credentials, as if it were not there', async () => {
    const { token } = await setUp()
    expect((await token('grant_type=client_credentials&client_secret=')).status).toBe(200)
  })

  it('accepts client_id= beside Basic credentials, as if it were not there', async () => {
    const { token } = await setUp()
    expect((await token('grant_type=client_credentials&client_id=')).status).toBe(200)
  })

  it('accepts resource= as no resource, not invalid_target', async () => {
    const { token } = await setUp()
    expect((await token('grant_type=client_credentials&resource=')).status).toBe(200)
  })

  it('answers client_id= and client_secret= without Basic as no client authentication', async () => {
    const { token } = await setUp()
    const answer = await token('grant_type=client_credentials&client_id=&client_secret=', null)
    expect(answer.status).toBe(401)
    expect(answer.body.error).toBe('invalid_client')
  })

  it('still refuses a parameter given twice with values', async () => {
    const { key, token } = await setUp()
    const answer = await token(`grant_type=client_credentials&scope=read&scope=write&client_id=${key.id}`)
    expect(answer.status).toBe(400)
  })
})
