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
    ['file:./keys.db', 'sqlite:./keys.db instead'],
    ['memory:', 'in-memory store'],
    ['sqlite:', 'file name is missing'],
    ['sqlite://keys.db', 'absolute path'],
    ['sqlite::memory:', 'in-memory'],
    ['sqlite:keys.db?mode=ro', 'no query string'],
    ['latchkey.db', 'did you mean sqlite:latchkey.db?'],
    ['mysql://db/keys', 'mysql: is not supported'],
    ['postgres:db', 'starts with postgres://'],
  ])('refuses %s, saying why', (url, reason) => {
    const error = errorOf(url)
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    expect(error.message).toContain(reason)
    expect(error.message).toContain('sqlite:PATH')
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
