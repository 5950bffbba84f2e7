import { createVerifier, type KeyEncryptionKey, type KeyStore, toResponse } from '@latchkey/verifier'
import { createKeyManager } from '@latchkey/verifier/manage'

const issuer = 'https://api.conformance.test'

/** A client of `store`: the Basic credentials of a new key of a new account. */
export async function newClient(store: KeyStore): Promise<string> {
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Conformance' })
  const key = await manager.createApiKey({ accountId: account.id })
  return `Basic ${btoa(`${key.id}:${key.secret}`)}`
}

/**
 * A client-credentials token request by `basic` (a new client when not given), answered by a new
 * verifier on `store` with `keyEncryptionKey`: its status and the `kid` of the token it signed.
 */
export async function requestToken(
  store: KeyStore,
  options: { readonly basic?: string; readonly keyEncryptionKey?: KeyEncryptionKey | undefined } = {},
): Promise<{ status: number; kid: string | undefined }> {
  const basic = options.basic ?? (await newClient(store))
  const { keyEncryptionKey } = options
  const verifier = createVerifier({ store, issuer, ...(keyEncryptionKey ? { keyEncryptionKey } : {}) })
  try {
    const answer = await verifier.answer(
      new Request(`${issuer}/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      }),
    )
    if (!answer) throw new Error('The verifier did not answer at its token path.')
    const response = toResponse(answer)
    const body = (await response.json()) as { access_token?: string }
    return { status: response.status, kid: body.access_token && kidOf(body.access_token) }
  } finally {
    await verifier.close?.()
  }
}

/** The `kid` of a JWS's protected header. */
function kidOf(token: string): string | undefined {
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string }
  return header.kid
}
