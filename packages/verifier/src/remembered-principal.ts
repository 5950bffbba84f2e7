import { isWellFormedCredential } from './api-key.js'
import type { AuthorizationCredentials } from './authorization-header.js'
import { isUsable } from './credential-check.js'
import { admitsAtOnce, type FailureThrottle } from './failure-throttle/failure-throttle.js'
import type { KeyLookup } from './key-lookup.js'
import { basicPrincipal, bearerPrincipal, type Principal } from './principal.js'
import type { SigningKeyRing } from './signing-key-ring.js'
import type { VerifiedSecretCache } from './verified-secret-cache.js'
import type { VerifiedToken } from './verified-token-cache.js'

/** What a verifier remembers, for {@link rememberedPrincipal}. Internal. */
export interface Memory {
  readonly keys: KeyLookup
  readonly ring: SigningKeyRing
  readonly throttle: FailureThrottle | undefined
  readonly verifiedSecrets: VerifiedSecretCache
}

/**
 * The principal of a request that memory alone vouches for, else `undefined`: no store read, no hash,
 * no signature check, nothing awaited. That is a Basic secret that matched this key's stored hash
 * before, from a client the throttle has nothing on record for; or a Bearer token verified before
 * (`verified`), under a signing key that still verifies; and in both cases a key the lookup
 * remembers as it is now (same change version, or no change reported), with it and its account
 * enabled. The checks are those of the full path, each answered from memory; any that memory cannot
 * answer, or that fails, gives `undefined`, and the request takes the full path, which decides it
 * (refusals are only ever made there). So this only ever answers what the full path would.
 */
export function rememberedPrincipal(
  memory: Memory,
  credentials: AuthorizationCredentials,
  clientAddress: () => string | undefined,
  verified: VerifiedToken | undefined,
): Principal | undefined {
  if (credentials.scheme === 'basic') {
    const { userId, password } = credentials
    if (!isWellFormedCredential(userId) || !isWellFormedCredential(password)) return undefined
    if (!admitsAtOnce(memory.throttle, { keyId: userId, address: clientAddress() })) return undefined
    const key = memory.keys.remembered(userId)?.credential
    if (!key || !isUsable(key) || !memory.verifiedSecrets.matches(userId, password, key.secretHash)) return undefined
    return basicPrincipal(key)
  }
  if (credentials.scheme !== 'bearer' || !verified || memory.ring.verifiesNow(verified.kid) !== true) return undefined
  const key = memory.keys.remembered(verified.claims.sub)?.credential
  return key && isUsable(key) ? bearerPrincipal(key, verified.claims) : undefined
}
