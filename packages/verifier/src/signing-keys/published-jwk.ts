import type { JWK } from 'jose'
import type { SigningKeyRecord } from '../store/key-store.js'

/** The members of a public key in the order jose exports them, which every store returns them in. */
const keyMembers = ['crv', 'x', 'y', 'n', 'e', 'kty']

/**
 * A signing key's entry in the JWKS: its public members in one fixed order, then `kid`, `alg` and
 * `use`. The order is fixed here because stores need not keep it: Postgres's `jsonb` sorts an
 * object's members (by length, then bytes), so every server answers the same bytes whatever its store.
 */
export function publishedJwk(record: Pick<SigningKeyRecord, 'publicJwk' | 'kid' | 'alg'>): JWK {
  const jwk: Record<string, unknown> = {}
  const source = record.publicJwk as Record<string, unknown>
  for (const name of keyMembers) if (source[name] !== undefined) jwk[name] = source[name]
  for (const [name, value] of Object.entries(source)) if (!(name in jwk)) jwk[name] = value
  return { ...jwk, kid: record.kid, alg: record.alg, use: 'sig' }
}
