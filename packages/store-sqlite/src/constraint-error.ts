import { LatchkeyError } from '@latchkey/verifier'

/**
 * Turns SQLite's constraint errors into messages that name the record; any other error passes
 * through unchanged, since it means the database itself failed.
 */
export function constraintError(error: unknown, duplicate: string, missingAccount?: string): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new LatchkeyError('ERR_INVALID_ARGUMENT', duplicate, { cause: error })
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' && missingAccount !== undefined) {
    return new LatchkeyError('ERR_NOT_FOUND', missingAccount, { cause: error })
  }
  return error
}
