import { isLatchkeyError } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { DEFAULT_DATABASE_URL, parseDatabaseUrl, redactDatabaseUrl } from './database-url.js'

function errorOf(url: string): Error {
  try {
    parseDatabaseUrl(url)
  } catch (error) {
    if (isLatchkeyError(error)) return error
    throw error
  }
  throw new Error(`${url} was accepted`)
}

describe('parseDatabaseUrl', () => {
  it('reads the default URL as latchkey.db in the working directory', () => {
    expect(parseDatabaseUrl(DEFAULT_DATABASE_URL)).toEqual({ kind: 'sqlite', filename: './latchkey.db' })
  })

  it('keeps relative and absolute sqlite: paths as written', () => {
    expect(parseDatabaseUrl('sqlite:keys.db')).toEqual({ kind: 'sqlite', filename: 'keys.db' })
    expect(parseDatabaseUrl('sqlite:../data/keys.db')).toEqual({ kind: 'sqlite', filename: '../data/keys.db' })
    expect(parseDatabaseUrl('sqlite:/var/lib/latchkey.db')).toEqual({
      kind: 'sqlite',
      filename: '/var/lib/latchkey.db',
    })
  })

  it('reads sqlite:///abs/path as an absolute path', () => {
    expect(parseDatabaseUrl('sqlite:///var/lib/latchkey.db')).toEqual({
      kind: 'sqlite',
      filename: '/var/lib/latchkey.db',
    })
  })

  it('treats the scheme case-insensitively', () => {
    expect(parseDatabaseUrl('SQLite:keys.db')).toEqual({ kind: 'sqlite', filename: 'keys.db' })
  })

  it('recognises postgres:// and postgresql:// URLs', () => {
    expect(parseDatabaseUrl('postgres://u:p@db/latchkey')).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db/latchkey',
    })
    expect(parseDatabaseUrl('postgresql://db/latchkey').kind).toBe('postgres')
  })

  it.each([
    [
      'file:./keys.db',
      'Invalid database URL "file:./keys.db": file: URLs are ambiguous here; write sqlite:./keys.db instead.',
    ],
    [
      'memory:',
      'Invalid database URL "memory:": an in-memory store would lose every change when the command exits; name an SQLite file, as in sqlite:./latchkey.db.',
    ],
    ['sqlite:', 'Invalid database URL "sqlite:": the SQLite file name is missing, as in sqlite:./latchkey.db.'],
    [
      'sqlite://keys.db',
      'Invalid database URL "sqlite://keys.db": sqlite:// must be followed by an absolute path, as in sqlite:///var/lib/latchkey.db; for a relative one, write sqlite:keys.db.',
    ],
    [
      'sqlite::memory:',
      'Invalid database URL "sqlite::memory:": in-memory and URI file names are not supported; name an SQLite file, as in sqlite:./latchkey.db.',
    ],
    [
      'sqlite:keys.db?mode=ro',
      'Invalid database URL "sqlite:keys.db?mode=ro": sqlite: URLs take no query string or fragment; remove what follows the ? or #.',
    ],
    [
      'latchkey.db',
      'Invalid database URL "latchkey.db": it has no scheme; for an SQLite file, write sqlite:latchkey.db.',
    ],
    [
      'mysql://db/keys',
      'Invalid database URL "mysql://db/keys": the scheme mysql: is not supported; use sqlite:PATH, sqlite:///ABSOLUTE/PATH or postgres://USER:PASSWORD@HOST/DATABASE.',
    ],
    [
      'postgres:db',
      'Invalid database URL "postgres:db": a postgres: URL starts with postgres://, as in postgres://USER:PASSWORD@HOST/DATABASE.',
    ],
  ])('refuses %s in one sentence saying what to write instead', (url, message) => {
    const error = errorOf(url)
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message })
    // One sentence: no second one starting, and no "?." left by a question inside it.
    expect(error.message).not.toMatch(/[.?!] [A-Z]|\?\./)
  })

  it('never shows the password of a refused URL', () => {
    const error = errorOf('mysql://admin:hunter2@db/keys')
    expect(error.message).not.toContain('hunter2')
    expect(error.message).toContain('mysql://***@db/keys')
  })
})

describe('redactDatabaseUrl', () => {
  it('masks the user info of a URL', () => {
    expect(redactDatabaseUrl('postgres://admin:s3cret@db:5432/latchkey')).toBe('postgres://***@db:5432/latchkey')
  })

  it('masks a password containing unescaped @ and / characters', () => {
    expect(redactDatabaseUrl('postgres://admin:a/b@c@db/latchkey')).toBe('postgres://***@db/latchkey')
  })

  it('masks secret-looking query parameters', () => {
    expect(redactDatabaseUrl('postgres://db/latchkey?sslmode=require&password=s3cret')).toBe(
      'postgres://db/latchkey?sslmode=require&password=***',
    )
  })

  it('leaves a URL without credentials unchanged', () => {
    expect(redactDatabaseUrl('sqlite:./latchkey.db')).toBe('sqlite:./latchkey.db')
  })
})
