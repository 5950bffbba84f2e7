import { secretChecksum } from '../src/basic/secret-checksum.js'

/**
 * `secret` (one Latchkey issued) with the last character of its random part changed and its
 * checksum recomputed: a wrong secret of the right shape, which is checked against the stored hash
 * rather than refused on sight as a typo. Never the secret itself, whatever it ends with.
 */
export function wrongSecret(secret: string): string {
  const body = secret.slice(0, -6)
  const changed = `${body.slice(0, -1)}${body.endsWith('x') ? 'y' : 'x'}`
  return changed + secretChecksum(changed)
}
