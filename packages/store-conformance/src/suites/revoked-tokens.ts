import type { ApiKeyRecord, Awaitable, KeyStore, RevokedToken } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { listen } from '../announcements.js'
import { at, makeAccount, makeApiKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/**
 * `revokeAccessToken` of `store`, bound; every store of this repository implements it. Taken before
 * a call expected to throw, so that a store without it fails rather than passes.
 */
export function revokerOf(store: KeyStore): (token: RevokedToken, now: Date) => Awaitable<void> {
  const { revokeAccessToken } = store
  if (!revokeAccessToken) {
    throw new Error('The store has no revokeAccessToken: it cannot revoke access tokens one by one (RFC 7009).')
  }
  return (token, now) => revokeAccessToken.call(store, token, now)
}

/** Revokes `token` through `store`; fails when the store cannot. */
function revokeAccessToken(store: KeyStore, token: RevokedToken, now: Date): Awaitable<void> {
  return revokerOf(store)(token, now)
}

/** A revocation of token `jti` of `keyId`, forgettable `expiresIn` ms after the fixtures' epoch. */
function token(keyId: string, jti: string, expiresIn = 60_000): RevokedToken {
  return { keyId, jti, expiresAt: at(expiresIn) }
}

/** The `jti`s `findApiKey` lists for `id`: empty when it lists none. */
async function revokedOf(store: KeyStore, id: string): Promise<ReadonlySet<string>> {
  const found = await store.findApiKey(id)
  if (!found) throw new Error(`findApiKey found no key ${id}.`)
  if (found.revokedTokens !== undefined) expect(found.revokedTokens).toBeInstanceOf(Set)
  return found.revokedTokens ?? new Set()
}

const one = makeApiKey({ id: 'lk_one' })
const two = makeApiKey({ id: 'lk_two', createdAt: at(1) })

/** Stores the account and the keys `lk_one` and `lk_two`, through `store`. */
async function insertKeys(store: KeyStore): Promise<void> {
  await store.insertAccount(makeAccount())
  await store.insertApiKey(one)
  await store.insertApiKey(two)
}

/** `key` as `findApiKey` returns it when none of its tokens is revoked: no `revokedTokens` field at all. */
const credential = (key: ApiKeyRecord) => ({ ...key, accountStatus: 'enabled' })

/**
 * Access tokens revoked one by one (RFC 7009): listed with their key by `findApiKey` until they
 * would expire anyway, then forgotten by a later revocation.
 */
export function describeRevokedTokens({ store, reopen, connect }: ConformanceHarness): void {
  describe('revoked access tokens', () => {
    it('lists no revoked token of a key none was revoked of, omitting the field, though another key has some', async () => {
      await insertKeys(store())
      expect(await store().findApiKey(one.id)).toEqual(credential(one))
      await revokeAccessToken(store(), token(two.id, 'jti-2'), at())
      // toEqual fails on an empty Set where the record has no field: stores omit it.
      expect(await store().findApiKey(one.id)).toEqual(credential(one))
      expect(await revokedOf(store(), two.id)).toEqual(new Set(['jti-2']))
    })

    it('lists every live revoked token of a key under that key alone, and changes nothing else of it', async () => {
      await insertKeys(store())
      await revokeAccessToken(store(), token(one.id, 'jti-a'), at())
      await revokeAccessToken(store(), token(one.id, 'jti-b', 30_000), at(1))
      await revokeAccessToken(store(), token(two.id, 'jti-c'), at(2))
      expect(await store().findApiKey(one.id)).toEqual({
        ...credential(one),
        revokedTokens: new Set(['jti-a', 'jti-b']),
      })
      expect(await revokedOf(store(), two.id)).toEqual(new Set(['jti-c']))
      // Only the hot path reads them: the management reads return the key as it was stored.
      expect(await store().getApiKey(one.id)).not.toHaveProperty('revokedTokens')
      expect(await store().getApiKey(one.id)).toEqual(one)
      const listed = await store().listApiKeys()
      expect(listed).toEqual([one, two])
      for (const key of listed) expect(key).not.toHaveProperty('revokedTokens')
    })

    it('takes a second revocation of one token without error, lists it once and keeps the later expiry', async () => {
      await insertKeys(store())
      await revokeAccessToken(store(), token(one.id, 'jti-a', 10_000), at())
      await revokeAccessToken(store(), token(one.id, 'jti-a', 20_000), at(1))
      // An earlier expiry does not shorten the revocation.
      await revokeAccessToken(store(), token(one.id, 'jti-a', 5000), at(2))
      expect(await revokedOf(store(), one.id)).toEqual(new Set(['jti-a']))
      // Past the first expiry, not the later one: still revoked.
      await revokeAccessToken(store(), token(one.id, 'jti-b'), at(15_000))
      expect(await revokedOf(store(), one.id)).toEqual(new Set(['jti-a', 'jti-b']))
      // At the later expiry: forgotten.
      await revokeAccessToken(store(), token(one.id, 'jti-c'), at(20_000))
      expect(await revokedOf(store(), one.id)).toEqual(new Set(['jti-b', 'jti-c']))
    })

    it('forgets, at a later revocation, every revocation of any key that expires at or before its now, to the millisecond', async () => {
      await insertKeys(store())
      await revokeAccessToken(store(), token(one.id, 'jti-a', 1000), at())
      await revokeAccessToken(store(), token(one.id, 'jti-b', 5000), at())
      await revokeAccessToken(store(), token(two.id, 'jti-c', 1000), at())
      // A millisecond before the first expiry: nothing is forgotten.
      await revokeAccessToken(store(), token(two.id, 'jti-d'), at(999))
      expect(await revokedOf(store(), one.id)).toEqual(new Set(['jti-a', 'jti-b']))
      expect(await revokedOf(store(), two.id)).toEqual(new Set(['jti-c', 'jti-d']))
      // At it: forgotten, for both keys, by a revocation of the second key.
      await revokeAccessToken(store(), token(two.id, 'jti-e'), at(1000))
      expect(await revokedOf(store(), one.id)).toEqual(new Set(['jti-b']))
      expect(await revokedOf(store(), two.id)).toEqual(new Set(['jti-d', 'jti-e']))
      // A key whose revocations are all forgotten reads as if it never had any.
      await revokeAccessToken(store(), token(two.id, 'jti-f'), at(5000))
      expect(await store().findApiKey(one.id)).toEqual(credential(one))
    })

    it('does not store a revocation already expired when it is made, and throws no error for it', async () => {
      await insertKeys(store())
      await revokeAccessToken(store(), token(one.id, 'jti-a', 1000), at(1000))
      await revokeAccessToken(store(), token(one.id, 'jti-b', 500), at(1000))
      expect(await store().findApiKey(one.id)).toEqual(credential(one))
    })

    it('counts the same jti under two keys as two revocations, each with its own expiry', async () => {
      await insertKeys(store())
      await revokeAccessToken(store(), token(one.id, 'jti-same', 10_000), at())
      await revokeAccessToken(store(), token(two.id, 'jti-same', 60_000), at())
      expect(await revokedOf(store(), one.id)).toEqual(new Set(['jti-same']))
      expect(await revokedOf(store(), two.id)).toEqual(new Set(['jti-same']))
      await revokeAccessToken(store(), token(one.id, 'jti-other'), at(10_000))
      expect(await revokedOf(store(), one.id)).toEqual(new Set(['jti-other']))
      expect(await revokedOf(store(), two.id)).toEqual(new Set(['jti-same']))
    })

    it('throws for a key that does not exist, expired revocation or not, and stores nothing', async () => {
      await insertKeys(store())
      const revoke = revokerOf(store())
      await expect(async () => revoke(token('lk_none', 'jti-a'), at())).rejects.toThrow()
      await expect(async () => revoke(token('lk_none', 'jti-b', 0), at(1))).rejects.toThrow()
      // Created afterwards, the key has no revoked token.
      const none = makeApiKey({ id: 'lk_none', createdAt: at(2) })
      await store().insertApiKey(none)
      expect(await store().findApiKey(none.id)).toEqual(credential(none))
    })

    it('keeps all 20 revocations of one key made in parallel, on two connections when it can', async () => {
      await insertKeys(store())
      const other = connect ? await connect() : store()
      const jtis = Array.from({ length: 20 }, (_, index) => `jti-${index}`)
      await Promise.all(
        jtis.map((jti, index) => revokeAccessToken(index % 2 === 0 ? store() : other, token(one.id, jti), at(index))),
      )
      expect(await revokedOf(store(), one.id)).toEqual(new Set(jtis))
      expect(await revokedOf(other, one.id)).toEqual(new Set(jtis))
    })

    it.for(['through the store itself', 'through another connection'])(
      'announces a revocation made %s by the key id',
      async (through, context) => {
        if (through !== 'through the store itself' && !connect) return context.skip('the store cannot connect')
        const listener = await listen(store())
        if (!listener) return context.skip('the store has neither watch nor changeVersion')
        try {
          const writer = connect && through !== 'through the store itself' ? await connect() : store()
          await writer.insertAccount(makeAccount())
          await writer.insertApiKey(one)
          await listener.reset(one.id)
          await revokeAccessToken(writer, token(one.id, 'jti-a'), at())
          await listener.announced(one.id)
        } finally {
          listener.close()
        }
      },
    )

    it.runIf(reopen !== undefined)('keeps revocations and their expiries across a reopen', async () => {
      await insertKeys(store())
      await revokeAccessToken(store(), token(one.id, 'jti-a', 1000), at())
      await revokeAccessToken(store(), token(one.id, 'jti-b', 2000), at())
      const reopened = (await reopen?.()) as KeyStore
      expect(await revokedOf(reopened, one.id)).toEqual(new Set(['jti-a', 'jti-b']))
      await revokeAccessToken(reopened, token(two.id, 'jti-c'), at(1000))
      expect(await revokedOf(reopened, one.id)).toEqual(new Set(['jti-b']))
    })

    it.runIf(connect !== undefined)(
      'shows a revocation written through one connection to findApiKey on another',
      async () => {
        await insertKeys(store())
        const other = (await connect?.()) as KeyStore
        expect(await other.findApiKey(one.id)).toEqual(credential(one))
        await revokeAccessToken(other, token(one.id, 'jti-a'), at())
        expect(await revokedOf(store(), one.id)).toEqual(new Set(['jti-a']))
        // And the forgetting written through the first.
        await revokeAccessToken(store(), token(two.id, 'jti-b'), at(60_000))
        expect(await other.findApiKey(one.id)).toEqual(credential(one))
      },
    )
  })
}
