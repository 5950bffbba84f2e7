// Latchkey on the fixture's SQLite store with rate-limit windows in Redis (`bench:limits`), as
// `LATCHKEY_REDIS_URL` sets `latchkey serve` up.
import { redisRateLimitCounter } from '@latchkey/redis'
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { readFixture } from '../fixture.js'
import { serveLatchkey } from './latchkey-express-app.js'

const fixture = readFixture()
const redis = fixture.limitStores?.redis
if (!redis) throw new Error('The fixture has no Redis server: run `bench:limits` (run.ts --limits).')
serveLatchkey({
  store: openSqliteKeyStore(fixture.databasePath),
  rateLimits: { counter: redisRateLimitCounter({ url: redis.url }) },
})
