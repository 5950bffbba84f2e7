import { describe, expect, it } from 'vitest'
import { inProcessCli, type KeyJson } from './in-process.js'

const { ok, fails } = inProcessCli('latchkey-status-')

async function createKey(): Promise<{ account: string; id: string }> {
  const account = (await ok(['accounts', 'create', '--name', 'Acme'])).trim()
  const id = (await ok(['keys', 'create', '--account', account, '--out', 'key.properties'])).trim()
  return { account, id }
}

describe('a status change asked for twice', () => {
  it('says a key was already revoked, disabled or enabled, and succeeds (exit 0)', async () => {
    const { id } = await createKey()
    expect(await ok(['keys', 'enable', id])).toBe(`${id} was already enabled\n`)
    expect(await ok(['keys', 'disable', id])).toBe(`${id} disabled\n`)
    expect(await ok(['keys', 'disable', id])).toBe(`${id} was already disabled\n`)
    expect(await ok(['keys', 'revoke', id])).toBe(`${id} revoked\n`)
    expect(await ok(['keys', 'revoke', id])).toBe(`${id} was already revoked\n`)
    expect((JSON.parse(await ok(['keys', 'show', id, '--json'])) as KeyJson).status).toBe('revoked')
  })

  it('still refuses to enable or disable a revoked key (exit 1)', async () => {
    const { id } = await createKey()
    await ok(['keys', 'revoke', id])
    for (const command of ['enable', 'disable']) {
      expect(await fails(['keys', command, id], 1)).toContain('is revoked; create a new key instead.')
    }
  })

  it('says an account was already disabled or enabled, and succeeds (exit 0)', async () => {
    const { account } = await createKey()
    expect(await ok(['accounts', 'enable', account])).toBe(`${account} was already enabled\n`)
    expect(await ok(['accounts', 'disable', account])).toBe(`${account} disabled\n`)
    expect(await ok(['accounts', 'disable', account])).toBe(`${account} was already disabled\n`)
    expect(await ok(['accounts', 'enable', account])).toBe(`${account} enabled\n`)
  })

  it('still reports an unknown id (exit 1)', async () => {
    await createKey()
    expect(await fails(['keys', 'revoke', 'lk_missing'], 1)).toContain('No API key has the id "lk_missing"')
    expect(await fails(['accounts', 'disable', 'acct_missing'], 1)).toContain('No account has the id "acct_missing"')
  })
})
