import { describe, expect, it } from 'vitest'
import { invocationDirectory, serverSettingsFromEnvironment } from './server-settings.js'

const read = (env: Record<string, string>) => serverSettingsFromEnvironment(env, '/repo/examples/koa')

describe('serverSettingsFromEnvironment', () => {
  it('has the README defaults, relative paths read where the command was typed', () => {
    expect(read({ INIT_CWD: '/repo' })).toEqual({
      host: '127.0.0.1',
      port: 3000,
      issuer: 'http://localhost:3000',
      databaseUrl: 'sqlite:./latchkey.db',
      cwd: '/repo',
      verifier: {},
    })
  })

  it('takes every variable, the issuer following PORT unless it is set', () => {
    const settings = read({
      HOST: '0.0.0.0',
      PORT: '0',
      LATCHKEY_DATABASE_URL: 'postgres://latchkey@db/keys',
      LATCHKEY_FAILURE_LIMIT: '1000000',
      LATCHKEY_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    })
    expect(settings).toMatchObject({ host: '0.0.0.0', port: 0, issuer: 'http://localhost:0' })
    expect(settings.databaseUrl).toBe('postgres://latchkey@db/keys')
    expect(settings.verifier.failureThrottle).toEqual({ perKeyAndAddress: 1e6, perAddress: 1e6, perKey: 1e6 })
    expect(settings.verifier.keyEncryptionKey).toBeDefined()
    expect(read({ LATCHKEY_ISSUER: 'https://api.example.com/v1' }).issuer).toBe('https://api.example.com/v1')
  })

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a port number (0 picks a free port), a whole number from 0 to 65535.'],
    [{ PORT: '65536' }, 'PORT must be a port number (0 picks a free port), a whole number from 0 to 65535.'],
    [{ PORT: '-1' }, 'PORT must be a port number (0 picks a free port), a whole number from 0 to 65535.'],
    [{ PORT: '3000.5' }, 'PORT must be a port number (0 picks a free port), a whole number from 0 to 65535.'],
    [
      { LATCHKEY_ISSUER: 'api.example.com' },
      'LATCHKEY_ISSUER must be an absolute http(s) URL without query or fragment, such as https://api.example.com (RFC 8414 §2).',
    ],
    [
      { LATCHKEY_ISSUER: 'https://api.example.com/?tenant=1' },
      'LATCHKEY_ISSUER must be an absolute http(s) URL without query or fragment, such as https://api.example.com (RFC 8414 §2).',
    ],
    [{ LATCHKEY_DATABASE_URL: 'keys.db' }, /^LATCHKEY_DATABASE_URL: .*sqlite:keys\.db/],
    [
      { LATCHKEY_FAILURE_LIMIT: '0' },
      'LATCHKEY_FAILURE_LIMIT must be the failures allowed before throttling, a whole number from 1 to 1000000.',
    ],
    [{ LATCHKEY_KEY_ENCRYPTION_KEY: 'short' }, /^LATCHKEY_KEY_ENCRYPTION_KEY must hold 32 random bytes/],
    ...['127.0.0.1:6379', 'http://127.0.0.1:6379', 'redis://', 'redis:///0', 'not a url'].map(
      (url): [Record<string, string>, string] => [
        { LATCHKEY_REDIS_URL: url },
        'LATCHKEY_REDIS_URL must be a redis:// or rediss:// URL with a host, such as redis://127.0.0.1:6379.',
      ],
    ),
  ])('names the variable when %j is malformed', (env, message) => {
    const text = typeof message === 'string' ? message : expect.stringMatching(message)
    expect(() => read(env)).toThrow(expect.objectContaining({ name: 'UsageError', message: text }))
  })

  it('counts rate-limit windows in the Redis of LATCHKEY_REDIS_URL, a client the server closes at shutdown', async () => {
    // Nothing listens on port 1: the client connects in the background and its counts fail (closed).
    for (const url of ['redis://127.0.0.1:1', 'rediss://user:secret@127.0.0.1:1/2']) {
      const counter = read({ LATCHKEY_REDIS_URL: url }).verifier.rateLimits?.counter
      expect(counter).toBeTypeOf('function')
      expect(counter?.client.options).toMatchObject({ host: '127.0.0.1', port: 1 })
      await counter?.close()
      expect(counter?.client.status).toBe('end')
    }
    expect(read({ LATCHKEY_REDIS_URL: '' }).verifier).toEqual({})
  })

  it('never repeats a Redis password in its message', () => {
    expect(() => read({ LATCHKEY_REDIS_URL: 'http://user:hunter2@cache:6379' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    )
  })

  it('never repeats a database password in its message', () => {
    expect(() => read({ LATCHKEY_DATABASE_URL: 'mysql://root:hunter2@db/keys' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    )
  })
})

describe('invocationDirectory', () => {
  it('is the directory pnpm was run from, else the working directory', () => {
    expect(invocationDirectory({ INIT_CWD: '/repo' }, '/repo/examples/koa')).toBe('/repo')
    expect(invocationDirectory({}, '/repo/examples/koa')).toBe('/repo/examples/koa')
  })
})
