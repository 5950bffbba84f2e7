import { LatchkeyError } from '@latchkey/verifier'

/**
 * Turns SQLite's constraint errors into messages that name the record; any other error passes
 * through unchanged, since it means the database itself failed.
 *
 * @param duplicate - The message of a duplicate primary key.
 * @param missingParent - The message of a foreign key naming no record: an account a key's, a key a
 *   revoked token's.
 */
export function constraintError(error: unknown, duplicate: string, missingParent?: string): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new LatchkeyError('ERR_INVALID_ARGUMENT', duplicate, { cause: error })
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' && missingParent !== undefined) {
    return new LatchkeyError('ERR_NOT_FOUND', missingParent, { cause: error })
  }
  return error
}
