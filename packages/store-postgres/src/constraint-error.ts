import { LatchkeyError } from '@latchkey/verifier'

/**
 * Turns Postgres constraint errors into messages that name the record; any other error passes
 * through unchanged, since it means the database itself failed.
 */
export function constraintError(error: unknown, duplicate: string, missingAccount?: string): unknown {
  const code = (error as { code?: unknown } | null)?.code
  // SQLSTATE 23505 unique_violation, 23503 foreign_key_violation.
  if (code === '23505') return new LatchkeyError('ERR_INVALID_ARGUMENT', duplicate, { cause: error })
  if (code === '23503' && missingAccount !== undefined) {
    return new LatchkeyError('ERR_NOT_FOUND', missingAccount, { cause: error })
  }
  return error
}
