import { LatchkeyError } from '@latchkey/verifier'

/**
 * Turns Postgres constraint errors into messages that name the record; any other error passes
 * through unchanged, since it means the database itself failed.
 *
 * @param duplicate - The message of a duplicate key.
 * @param missingParent - The message of a foreign key naming no record: an account a key's, a key a
 *   revoked token's.
 */
export function constraintError(error: unknown, duplicate: string, missingParent?: string): unknown {
  const code = (error as { code?: unknown } | null)?.code
  // SQLSTATE 23505 unique_violation, 23503 foreign_key_violation.
  if (code === '23505') return new LatchkeyError('ERR_INVALID_ARGUMENT', duplicate, { cause: error })
  if (code === '23503' && missingParent !== undefined) {
    return new LatchkeyError('ERR_NOT_FOUND', missingParent, { cause: error })
  }
  return error
}
