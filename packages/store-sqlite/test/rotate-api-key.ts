// A process of its own for the race in rotate-api-key-processes.test.ts: opens the store at argv[2],
// says `ready`, and on `go` (stdin) rotates key argv[3] to a new key of id argv[4], then prints
// `rotated` or `refused`.
import { openSqliteKeyStore } from '../src/index.js'

const [filename = '', id = '', replacementId = ''] = process.argv.slice(2)
const store = openSqliteKeyStore(filename)
const now = new Date()
process.stdin.once('data', () => {
  const result = store.rotateApiKey(
    id,
    {
      id: replacementId,
      accountId: 'acct_one',
      secretHash: `sha256:${replacementId}`,
      scopes: ['read'],
      status: 'enabled',
      createdAt: now,
      name: null,
      description: null,
      metadata: {},
      expiresAt: null,
      replaces: null,
      replacedBy: null,
    },
    new Date(now.getTime() + 60_000),
  )
  store.close()
  process.stdout.write(`${result.rotated ? 'rotated' : 'refused'}\n`, () => process.exit(0))
})
process.stdout.write('ready\n')
