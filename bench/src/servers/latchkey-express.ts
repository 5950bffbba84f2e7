// Latchkey as the README sets it up: Express 5, the SQLite store, authenticate() and oauthRoutes().
// One load generator on one address sends every scenario, the attacks included: the throttle stays in
// the measured path but its limits are out of reach (serveLatchkey), so the wrong-secret scenario
// measures a refusal.
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { readFixture } from '../fixture.js'
import { serveLatchkey } from './latchkey-express-app.js'

serveLatchkey({ store: openSqliteKeyStore(readFixture().databasePath) })
