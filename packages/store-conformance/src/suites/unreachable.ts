import { createVerifier, type KeyStore } from '@latchkey/verifier'
import { createKeyManager, generateApiKeySecret } from '@latchkey/verifier/manage'
import { afterEach, describe, expect, it } from 'vitest'
import { at } from '../fixtures.js'
import type { KeyStoreOpener, OpenedKeyStore } from '../harness.js'
import { revokerOf } from './revoked-tokens.js'

const issuer = 'https://api.example.test'
// A secret of the shape Latchkey issues: any other is refused before the store is asked.
const basic = `Basic ${btoa(`lk_one:${generateApiKeySecret()}`)}`

/**
 * What a caller sees when the database cannot be reached: every store method fails (it never
 * answers "no such key"), and the verifier answers `503`, failing closed. Registered only when the
 * store can be opened unreachable.
 */
export function describeUnreachable(openUnreachable: KeyStoreOpener | undefined): void {
  if (!openUnreachable) return
  describe('an unreachable database', () => {
    let opened: OpenedKeyStore | undefined
    afterEach(async () => {
      await opened?.close()
      opened = undefined
    })

    async function unreachable(): Promise<KeyStore> {
      opened = await openUnreachable?.()
      if (!opened) throw new Error('No unreachable store.')
      return opened.store
    }

    it('throws from every read the hot path makes, rather than answering "not found"', async () => {
      const store = await unreachable()
      await expect(async () => store.findApiKey('lk_one')).rejects.toThrow()
      await expect(async () => store.listSigningKeys()).rejects.toThrow()
    })

    it('throws from key management, which the CLI reports as a failure', async () => {
      const manager = createKeyManager(await unreachable())
      await expect(manager.createAccount({ name: 'Acme' })).rejects.toThrow()
      await expect(manager.revokeApiKey('lk_one')).rejects.toThrow()
    })

    it('throws from a token revocation, which the revocation endpoint answers with 503', async () => {
      const revoke = revokerOf(await unreachable())
      const token = { jti: 'jti-a', keyId: 'lk_one', expiresAt: at(60_000) }
      await expect(async () => revoke(token, at())).rejects.toThrow()
    })

    it('makes the verifier answer 503 to Basic, Bearer and token requests, never 401', async () => {
      const verifier = createVerifier({ store: await unreachable(), issuer, storeTimeout: 2000 })
      const results = await Promise.all([
        verifier.authenticate({ authorization: [basic] }),
        verifier.authenticate({ authorization: ['Bearer eyJhbGciOiJFZERTQSIsImtpZCI6ImsifQ.e30.c2ln'] }),
      ])
      for (const result of results) {
        expect(result.ok).toBe(false)
        if (!result.ok) expect(verifier.answerError(result.error).status).toBe(503)
      }
      const token = await verifier.answer(
        new Request(`${issuer}/oauth/token`, {
          method: 'POST',
          headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        }),
      )
      expect(token?.status).toBe(503)
      verifier.close?.()
    })
  })
}
