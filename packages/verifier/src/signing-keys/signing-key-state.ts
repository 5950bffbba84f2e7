import type { SigningKeyRecord } from '../store/key-store.js'

/**
 * Where a signing key is in its life:
 * - `pending`: published in the JWKS, so every verifier knows it, but it signs nothing yet;
 * - `active`: the key new tokens are signed with (the newest activated one);
 * - `retiring`: no longer signs, still verifies the tokens it signed until `expiresAt`;
 * - `expired`: neither signs nor verifies.
 */
export type SigningKeyState = 'pending' | 'active' | 'retiring' | 'expired'

/**
 * The key that signs at `now`: of the keys activated and not expired, the one created last (the
 * greater `kid` on a tie, so every instance picks the same key). By creation, not activation: a
 * rotation supersedes a key still pending from an earlier one, which then never signs.
 */
export function activeSigningKey(records: readonly SigningKeyRecord[], now: number): SigningKeyRecord | undefined {
  let newest: SigningKeyRecord | undefined
  for (const record of records) {
    if (!verifiesAt(record, now) || record.activatesAt.getTime() > now) continue
    const createdAt = record.createdAt.getTime()
    const newestAt = newest?.createdAt.getTime() ?? Number.NEGATIVE_INFINITY
    if (createdAt > newestAt || (createdAt === newestAt && newest !== undefined && record.kid > newest.kid)) {
      newest = record
    }
  }
  return newest
}

/** Whether tokens under `record` still verify at `now` (ms since the epoch). */
export function verifiesAt(record: SigningKeyRecord, now: number): boolean {
  return record.expiresAt === null || record.expiresAt.getTime() > now
}

/** The state of each of `records` at `now` (ms since the epoch), in the same order. */
export function signingKeyStates(records: readonly SigningKeyRecord[], now: number): SigningKeyState[] {
  const active = activeSigningKey(records, now)
  return records.map((record) => {
    if (!verifiesAt(record, now)) return 'expired'
    if (record === active) return 'active'
    return record.activatesAt.getTime() > now ? 'pending' : 'retiring'
  })
}
