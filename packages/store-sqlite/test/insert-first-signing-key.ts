// A process of its own for the race in first-signing-key.test.ts: opens the store at argv[2], says
// `ready`, and on `go` (stdin) inserts a first signing key of kid argv[3], then prints the kid returned.
import { openSqliteKeyStore } from '../src/index.js'

const [filename = '', kid = ''] = process.argv.slice(2)
const store = openSqliteKeyStore(filename)
const at = new Date()
const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }
process.stdin.once('data', () => {
  const first = store.insertFirstSigningKey({
    kid,
    alg: 'EdDSA',
    publicJwk: jwk,
    privateJwk: { ...jwk, d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' },
    createdAt: at,
    activatesAt: at,
    expiresAt: null,
  })
  store.close()
  process.stdout.write(`${first.kid}\n`, () => process.exit(0))
})
process.stdout.write('ready\n')
