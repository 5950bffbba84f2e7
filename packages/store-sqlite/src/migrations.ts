import { LatchkeyError } from '@latchkey/verifier'
import type { Database } from 'better-sqlite3'

/**
 * The schema, one step per version: step `n` takes `PRAGMA user_version` from `n - 1` to `n`.
 * Steps are append-only; a released step is never edited, or databases that already ran it drift.
 */
const migrations: readonly string[] = [
  // 1: STRICT tables reject a value of the wrong type instead of storing it. Timestamps are epoch
  // milliseconds, scopes a JSON array of strings, JWKs JSON objects.
  `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    status TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('enabled', 'disabled', 'revoked')),
    created_at INTEGER NOT NULL
  ) STRICT;

  -- Serves the foreign key and listing one account's keys in order.
  CREATE INDEX api_keys_account_id ON api_keys (account_id, created_at, id);

  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL CHECK (alg IN ('EdDSA', 'ES256')),
    public_jwk TEXT NOT NULL,
    private_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    activates_at INTEGER NOT NULL,
    expires_at INTEGER
  ) STRICT;
  `,
  // 2: when each key last authenticated a request (epoch ms), written in batches by verifiers; NULL
  // until the first recorded use.
  `
  ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
  `,
  // 3: what an API provider keeps beside keys and accounts, key expiry and rotation. Metadata is a
  // JSON object as text, expires_at epoch ms (NULL: never), replaces and replaced_by the ids of the
  // keys a rotation links. replaced_by is unique, so two rotations can never both claim one
  // replacement, whatever else goes wrong; the rotation's WHERE clause is what lets only one win.
  `
  ALTER TABLE api_keys ADD COLUMN name TEXT;
  ALTER TABLE api_keys ADD COLUMN description TEXT;
  ALTER TABLE api_keys ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_type(metadata) = 'object');
  ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
  ALTER TABLE api_keys ADD COLUMN replaces TEXT;
  ALTER TABLE api_keys ADD COLUMN replaced_by TEXT;
  CREATE UNIQUE INDEX api_keys_replaced_by ON api_keys (replaced_by) WHERE replaced_by IS NOT NULL;

  ALTER TABLE accounts ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_type(metadata) = 'object');
  `,
  // 4: access tokens revoked one by one (RFC 7009), until expires_at (epoch ms: the token's exp plus
  // the verifiers' clock tolerance), after which a later revocation deletes them. A jti is unique
  // among its key's tokens only. WITHOUT ROWID clusters the rows by key, so the hot path reads a
  // key's revocations as one range of the primary key; the index serves the purge.
  `
  CREATE TABLE revoked_tokens (
    key_id TEXT NOT NULL REFERENCES api_keys (id),
    jti TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (key_id, jti)
  ) STRICT, WITHOUT ROWID;

  CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);
  `,
  // 5: usage limits. Rate limits are a JSON array of {count, window} objects, NULL for none. Credits
  // live in credit_balances, not in the key's row, because a key made by rotation shares the balance
  // of the key it replaced: both rows name one balance, so one UPDATE spends for either. Usage counts
  // are clustered by key and hour (WITHOUT ROWID), with indexes for an account's counts and for the
  // retention DELETE.
  `
  ALTER TABLE accounts ADD COLUMN rate_limits TEXT CHECK (json_type(rate_limits) = 'array');
  ALTER TABLE api_keys ADD COLUMN rate_limits TEXT CHECK (json_type(rate_limits) = 'array');

  CREATE TABLE credit_balances (
    id INTEGER PRIMARY KEY,
    remaining INTEGER NOT NULL CHECK (remaining >= 0),
    refill_amount INTEGER CHECK (refill_amount > 0),
    refill_interval TEXT CHECK (refill_interval IN ('day', 'month')),
    refills_at INTEGER,
    CHECK ((refill_amount IS NULL) = (refill_interval IS NULL))
  ) STRICT;

  ALTER TABLE api_keys ADD COLUMN credit_balance_id INTEGER REFERENCES credit_balances (id);
  CREATE INDEX api_keys_credit_balance_id ON api_keys (credit_balance_id) WHERE credit_balance_id IS NOT NULL;

  CREATE TABLE usage_counts (
    key_id TEXT NOT NULL REFERENCES api_keys (id),
    account_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('served', 'rate_limited', 'credits_exhausted', 'refused')),
    count INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (key_id, hour, outcome)
  ) STRICT, WITHOUT ROWID;

  CREATE INDEX usage_counts_account_id ON usage_counts (account_id, hour);
  CREATE INDEX usage_counts_hour ON usage_counts (hour);
  `,
]

/** The schema version this copy of the package writes and reads. */
export const SCHEMA_VERSION = migrations.length

/** The schema version of `db`: 0 for a new file. */
export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Brings `db` to {@link SCHEMA_VERSION}.
 *
 * @throws {LatchkeyError} `ERR_STORE_UNAVAILABLE` when the database was written by a newer version
 *   of this package: reading a schema it does not know could misread keys.
 */
export function migrate(db: Database, filename: string): void {
  let version = schemaVersion(db)
  if (version < SCHEMA_VERSION) {
    // IMMEDIATE takes the write lock before the version is read again, so when a server and a CLI
    // open a new file together, the second waits (busy_timeout) and then finds the schema there.
    db.transaction(() => applyMigrations(db)).immediate()
    version = schemaVersion(db)
  }
  if (version > SCHEMA_VERSION) {
    throw new LatchkeyError(
      'ERR_STORE_UNAVAILABLE',
      `The SQLite database ${filename} has schema version ${version}, newer than version ${SCHEMA_VERSION} that this @latchkey/store-sqlite knows. Upgrade @latchkey/store-sqlite to open it.`,
    )
  }
}

function applyMigrations(db: Database): void {
  const from = schemaVersion(db)
  for (const [index, sql] of migrations.entries()) {
    if (index < from) continue
    db.exec(sql)
    db.pragma(`user_version = ${index + 1}`)
  }
}
