// Latchkey on the Postgres store (`bench:limits`): its keys' credits are spent, and their rate-limit
// windows counted, in Postgres (the store's own counter), as several instances would share them.
import { openPostgresKeyStore } from '@latchkey/store-postgres'
import { readFixture } from '../fixture.js'
import { serveLatchkey } from './latchkey-express-app.js'

const postgres = readFixture().limitStores?.postgres
if (!postgres) throw new Error('The fixture has no Postgres store: run `bench:limits` (run.ts --limits).')
serveLatchkey({ store: await openPostgresKeyStore(postgres.url) })
