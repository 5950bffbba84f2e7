import { generateApiKeyId, isWellFormedCredential, verifySecret } from './api-key.js'
import { LatchkeyError } from './errors.js'
import type { ApiKeyCredential } from './key-store.js'

/**
 * Checks an API key id and secret. Every well-formed id is looked up and every secret hashed and
 * compared, known id or not, and the status is checked only after the secret, so an unknown id, a
 * wrong secret and a disabled key cost the same work and raise the same `ERR_INVALID_CREDENTIALS`.
 */
export async function checkApiKey(
  findKey: (id: string) => Promise<ApiKeyCredential | undefined>,
  keyId: string,
  secret: string,
  balanceLookups = false,
): Promise<ApiKeyCredential> {
  const wellFormed = isWellFormedCredential(keyId) && isWellFormedCredential(secret)
  const key = wellFormed ? await findKey(keyId) : undefined
  if (key) decoys.set(findKey, key.id)
  if (wellFormed && balanceLookups) await (key ? findKey(absentId).catch(() => undefined) : readDecoy(findKey))
  const secretMatches = verifySecret(secret, key?.secretHash)
  if (!wellFormed) throw refused('malformed_key')
  if (!key) throw refused('unknown_key')
  if (!secretMatches) throw refused('wrong_secret')
  assertUsable(key)
  return key
}

/** An id no key has (about 143 random bits): the absent key a found one is balanced with. */
const absentId = generateApiKeyId()

/** Per key lookup, the id of the last key it found: a real row to read again for an unknown id. */
const decoys = new WeakMap<(id: string) => Promise<ApiKeyCredential | undefined>, string>()

/**
 * A lookup that finds nothing returns sooner than one that finds a row and converts it (SQLite: about
 * 2 against 8 µs), which a statistical timing attack can see. So, where every check reads the store,
 * each check makes one lookup that finds a row and one that finds none: a found key also looks up an
 * absent id, and an unknown id also reads the last key found, whose answer is thrown away. Failures of
 * these extra reads change nothing. (A store whose statuses are cached answers found keys from memory;
 * there, unknown ids cost a database read, and the balance would cost every request one: it is off.)
 */
async function readDecoy(findKey: (id: string) => Promise<ApiKeyCredential | undefined>): Promise<void> {
  const decoy = decoys.get(findKey)
  if (decoy !== undefined) await findKey(decoy).catch(() => undefined)
}

/** Throws `ERR_INVALID_CREDENTIALS` unless the key and its account are enabled. */
export function assertUsable(
  key: ApiKeyCredential,
  code: 'ERR_INVALID_CREDENTIALS' | 'ERR_INVALID_TOKEN' = 'ERR_INVALID_CREDENTIALS',
): void {
  const reason =
    key.status === 'revoked'
      ? 'key_revoked'
      : key.status !== 'enabled'
        ? 'key_disabled'
        : key.accountStatus !== 'enabled'
          ? 'account_disabled'
          : undefined
  if (reason === undefined) return
  throw code === 'ERR_INVALID_TOKEN'
    ? new LatchkeyError(code, 'The access token is not valid.', { reason })
    : new LatchkeyError(code, 'The API key is not valid.', { reason })
}

function refused(reason: 'malformed_key' | 'unknown_key' | 'wrong_secret'): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_CREDENTIALS', 'The API key is not valid.', { reason })
}
