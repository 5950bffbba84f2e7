// A process of its own for the race in spend-credits-processes.test.ts: opens the store at argv[2],
// says `ready`, and on `go` (stdin) spends one credit of key argv[3] argv[4] times as fast as it
// can, then prints how many spends were granted.
import { openSqliteKeyStore } from '../src/index.js'

const [filename = '', id = '', times = '0'] = process.argv.slice(2)
const store = openSqliteKeyStore(filename)
process.stdin.once('data', () => {
  let granted = 0
  for (let spend = 0; spend < Number(times); spend++) {
    if (store.spendCredits(id, 1, new Date())?.spent) granted++
  }
  store.close()
  process.stdout.write(`${granted}\n`, () => process.exit(0))
})
process.stdout.write('ready\n')
