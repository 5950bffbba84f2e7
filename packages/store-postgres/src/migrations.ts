import { LatchkeyError } from '@latchkey/verifier'
import type pg from 'pg'

/** The channel every change is announced on, by the triggers below, at commit. */
export const CHANGE_CHANNEL = 'latchkey_changes'

/**
 * The schema, one step per version. Steps are append-only; a released step is never edited, or
 * databases that already ran it drift. Tables are prefixed `latchkey_`, so they can share a
 * database (and a schema) with the application's own.
 */
const migrations: readonly string[] = [
  // 1: timestamps are timestamptz (microseconds, so milliseconds round-trip), scopes a text array,
  // JWKs jsonb. The triggers announce every change that can end access or rotate keys, whoever
  // makes it (an instance, the CLI, psql), so that every instance's status cache hears of it.
  `
  CREATE TABLE latchkey_accounts (
    id text PRIMARY KEY,
    name text NOT NULL,
    email text,
    status text NOT NULL CHECK (status IN ('enabled', 'disabled')),
    created_at timestamptz NOT NULL
  );

  CREATE TABLE latchkey_api_keys (
    id text PRIMARY KEY,
    account_id text NOT NULL REFERENCES latchkey_accounts (id),
    secret_hash text NOT NULL,
    scopes text[] NOT NULL,
    status text NOT NULL CHECK (status IN ('enabled', 'disabled', 'revoked')),
    created_at timestamptz NOT NULL
  );

  -- Serves the foreign key and listing one account's keys in order.
  CREATE INDEX latchkey_api_keys_account_id ON latchkey_api_keys (account_id, created_at, id);

  CREATE TABLE latchkey_signing_keys (
    kid text PRIMARY KEY,
    alg text NOT NULL CHECK (alg IN ('EdDSA', 'ES256')),
    public_jwk jsonb NOT NULL,
    private_jwk jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    activates_at timestamptz NOT NULL,
    expires_at timestamptz
  );

  CREATE FUNCTION latchkey_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_TABLE_NAME = 'latchkey_signing_keys' THEN
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'signing-keys')::text);
    ELSIF TG_TABLE_NAME = 'latchkey_accounts' THEN
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'account', 'id', OLD.id)::text);
    ELSE
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'api-key', 'id', OLD.id)::text);
    END IF;
    RETURN NULL;
  END
  $$;

  -- No-op updates (re-revoking a revoked key) announce nothing.
  CREATE TRIGGER latchkey_accounts_updated AFTER UPDATE ON latchkey_accounts
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION latchkey_notify_change();
  CREATE TRIGGER latchkey_accounts_deleted AFTER DELETE ON latchkey_accounts
    FOR EACH ROW EXECUTE FUNCTION latchkey_notify_change();
  CREATE TRIGGER latchkey_api_keys_updated AFTER UPDATE ON latchkey_api_keys
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION latchkey_notify_change();
  CREATE TRIGGER latchkey_api_keys_deleted AFTER DELETE ON latchkey_api_keys
    FOR EACH ROW EXECUTE FUNCTION latchkey_notify_change();
  CREATE TRIGGER latchkey_signing_keys_changed AFTER INSERT OR UPDATE OR DELETE ON latchkey_signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION latchkey_notify_change();
  `,
  // 2: when each key last authenticated a request, written in batches by verifiers; NULL until the
  // first recorded use. Recording a use changes nothing a verifier caches, so the update trigger is
  // recreated to compare every column but this one: otherwise each batch would announce every key
  // in it and empty every instance's status cache.
  `
  ALTER TABLE latchkey_api_keys ADD COLUMN last_used_at timestamptz;

  DROP TRIGGER latchkey_api_keys_updated ON latchkey_api_keys;
  CREATE TRIGGER latchkey_api_keys_updated AFTER UPDATE ON latchkey_api_keys
    FOR EACH ROW WHEN (
      (OLD.id, OLD.account_id, OLD.secret_hash, OLD.scopes, OLD.status, OLD.created_at)
      IS DISTINCT FROM (NEW.id, NEW.account_id, NEW.secret_hash, NEW.scopes, NEW.status, NEW.created_at)
    ) EXECUTE FUNCTION latchkey_notify_change();
  `,
  // 3: new keys are announced too, so that a verifier can remember ids that have no key, as it
  // remembers keys (a lookup then costs the same whether the id exists or not), and still hear at
  // once when a key with such an id is created: by an insert, or by an update that gives a key
  // another id (both ids are announced then). Updates and deletes are announced as before.
  // Written to run again harmlessly, though the version table already keeps it to once.
  `
  CREATE OR REPLACE FUNCTION latchkey_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_TABLE_NAME = 'latchkey_signing_keys' THEN
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'signing-keys')::text);
    ELSIF TG_TABLE_NAME = 'latchkey_accounts' THEN
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'account', 'id', OLD.id)::text);
    ELSIF TG_OP = 'INSERT' THEN
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'api-key', 'id', NEW.id)::text);
    ELSE
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'api-key', 'id', OLD.id)::text);
      -- Nested, not ANDed: NEW is null in a DELETE trigger, and SQL does not promise to short-circuit.
      IF TG_OP = 'UPDATE' THEN
        IF NEW.id IS DISTINCT FROM OLD.id THEN
          PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'api-key', 'id', NEW.id)::text);
        END IF;
      END IF;
    END IF;
    RETURN NULL;
  END
  $$;

  DROP TRIGGER IF EXISTS latchkey_api_keys_inserted ON latchkey_api_keys;
  CREATE TRIGGER latchkey_api_keys_inserted AFTER INSERT ON latchkey_api_keys
    FOR EACH ROW EXECUTE FUNCTION latchkey_notify_change();
  `,
  // 4: what an API provider keeps beside keys and accounts (metadata, a JSON object), key expiry
  // (NULL: never) and rotation (the ids of the keys it links). replaced_by is unique, so two
  // rotations can never both claim one replacement, whatever else goes wrong. Verifiers cache every
  // new key column (the principal carries name and metadata, expiry is compared on every use), so
  // the update trigger is recreated to announce a change of any column but last_used_at; accounts'
  // announces any change already. Written to run again harmlessly, as step 3 is.
  `
  ALTER TABLE latchkey_api_keys
    ADD COLUMN IF NOT EXISTS name text,
    ADD COLUMN IF NOT EXISTS description text,
    ADD COLUMN IF NOT EXISTS metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    ADD COLUMN IF NOT EXISTS expires_at timestamptz,
    ADD COLUMN IF NOT EXISTS replaces text,
    ADD COLUMN IF NOT EXISTS replaced_by text;
  CREATE UNIQUE INDEX IF NOT EXISTS latchkey_api_keys_replaced_by ON latchkey_api_keys (replaced_by)
    WHERE replaced_by IS NOT NULL;

  ALTER TABLE latchkey_accounts
    ADD COLUMN IF NOT EXISTS metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object');

  DROP TRIGGER IF EXISTS latchkey_api_keys_updated ON latchkey_api_keys;
  CREATE TRIGGER latchkey_api_keys_updated AFTER UPDATE ON latchkey_api_keys
    FOR EACH ROW WHEN (
      (OLD.id, OLD.account_id, OLD.secret_hash, OLD.scopes, OLD.status, OLD.created_at, OLD.name,
        OLD.description, OLD.metadata, OLD.expires_at, OLD.replaces, OLD.replaced_by)
      IS DISTINCT FROM
      (NEW.id, NEW.account_id, NEW.secret_hash, NEW.scopes, NEW.status, NEW.created_at, NEW.name,
        NEW.description, NEW.metadata, NEW.expires_at, NEW.replaces, NEW.replaced_by)
    ) EXECUTE FUNCTION latchkey_notify_change();
  `,
  // 5: access tokens revoked one by one (RFC 7009), until expires_at (the token's exp plus the
  // verifiers' clock tolerance), after which a later revocation deletes them; a jti is unique among
  // its key's tokens only. Verifiers read a key's revocations with the key, so a revocation stored
  // or extended is announced as a change of its key: the notify function learns the table, whose id
  // column is key_id. The purge's deletes are not announced: a verifier refuses an expired token
  // anyway. The rest of the function is step 3's. Written to run again harmlessly, as step 3 is.
  `
  CREATE TABLE IF NOT EXISTS latchkey_revoked_tokens (
    key_id text NOT NULL REFERENCES latchkey_api_keys (id),
    jti text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (key_id, jti)
  );
  CREATE INDEX IF NOT EXISTS latchkey_revoked_tokens_expires_at ON latchkey_revoked_tokens (expires_at);

  CREATE OR REPLACE FUNCTION latchkey_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_TABLE_NAME = 'latchkey_signing_keys' THEN
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'signing-keys')::text);
    ELSIF TG_TABLE_NAME = 'latchkey_accounts' THEN
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'account', 'id', OLD.id)::text);
    ELSIF TG_TABLE_NAME = 'latchkey_revoked_tokens' THEN
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'api-key', 'id', NEW.key_id)::text);
      IF TG_OP = 'UPDATE' THEN
        IF NEW.key_id IS DISTINCT FROM OLD.key_id THEN
          PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'api-key', 'id', OLD.key_id)::text);
        END IF;
      END IF;
    ELSIF TG_OP = 'INSERT' THEN
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'api-key', 'id', NEW.id)::text);
    ELSE
      PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'api-key', 'id', OLD.id)::text);
      -- Nested, not ANDed: NEW is null in a DELETE trigger, and SQL does not promise to short-circuit.
      IF TG_OP = 'UPDATE' THEN
        IF NEW.id IS DISTINCT FROM OLD.id THEN
          PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('type', 'api-key', 'id', NEW.id)::text);
        END IF;
      END IF;
    END IF;
    RETURN NULL;
  END
  $$;

  DROP TRIGGER IF EXISTS latchkey_revoked_tokens_inserted ON latchkey_revoked_tokens;
  CREATE TRIGGER latchkey_revoked_tokens_inserted AFTER INSERT ON latchkey_revoked_tokens
    FOR EACH ROW EXECUTE FUNCTION latchkey_notify_change();
  DROP TRIGGER IF EXISTS latchkey_revoked_tokens_updated ON latchkey_revoked_tokens;
  CREATE TRIGGER latchkey_revoked_tokens_updated AFTER UPDATE ON latchkey_revoked_tokens
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION latchkey_notify_change();
  `,
  // 6: usage limits. Rate limits are jsonb arrays of {count, window} (validated on read). Credits
  // live in the row of the key that holds the balance; credits_balance_id names that key: the key
  // itself, or for a replacement made by rotation the key it replaced, so that both spend from one
  // balance; NULL when the key is not metered. A spend changes only credits_remaining and
  // credits_refills_at, which verifiers do not cache, so the update trigger is recreated to ignore
  // them (as it ignores last_used_at): a spend is never announced. Setting credits is announced by
  // the store itself (see credit-queries.ts), for every key on the balance. Accounts' trigger
  // announces any change already, so their rate limits need nothing. Usage counts have no trigger:
  // they are history, not something a verifier caches. Written to run again harmlessly, as step 3 is.
  `
  ALTER TABLE latchkey_accounts
    ADD COLUMN IF NOT EXISTS rate_limits jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(rate_limits) = 'array');

  ALTER TABLE latchkey_api_keys
    ADD COLUMN IF NOT EXISTS rate_limits jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(rate_limits) = 'array'),
    ADD COLUMN IF NOT EXISTS credits_remaining bigint CHECK (credits_remaining >= 0),
    ADD COLUMN IF NOT EXISTS credits_refill_amount bigint CHECK (credits_refill_amount > 0),
    ADD COLUMN IF NOT EXISTS credits_refill_interval text CHECK (credits_refill_interval IN ('day', 'month')),
    ADD COLUMN IF NOT EXISTS credits_refills_at timestamptz,
    ADD COLUMN IF NOT EXISTS credits_balance_id text REFERENCES latchkey_api_keys (id);
  CREATE INDEX IF NOT EXISTS latchkey_api_keys_credits_balance_id ON latchkey_api_keys (credits_balance_id)
    WHERE credits_balance_id IS NOT NULL;

  CREATE TABLE IF NOT EXISTS latchkey_usage (
    key_id text NOT NULL,
    account_id text NOT NULL,
    hour timestamptz NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('served', 'rate_limited', 'credits_exhausted', 'refused')),
    count bigint NOT NULL CHECK (count > 0),
    PRIMARY KEY (key_id, hour, outcome)
  );
  -- An account's usage, and the retention delete.
  CREATE INDEX IF NOT EXISTS latchkey_usage_account_id ON latchkey_usage (account_id, hour);
  CREATE INDEX IF NOT EXISTS latchkey_usage_hour ON latchkey_usage (hour);

  DROP TRIGGER IF EXISTS latchkey_api_keys_updated ON latchkey_api_keys;
  CREATE TRIGGER latchkey_api_keys_updated AFTER UPDATE ON latchkey_api_keys
    FOR EACH ROW WHEN (
      (OLD.id, OLD.account_id, OLD.secret_hash, OLD.scopes, OLD.status, OLD.created_at, OLD.name,
        OLD.description, OLD.metadata, OLD.expires_at, OLD.replaces, OLD.replaced_by, OLD.rate_limits,
        OLD.credits_refill_amount, OLD.credits_refill_interval, OLD.credits_balance_id)
      IS DISTINCT FROM
      (NEW.id, NEW.account_id, NEW.secret_hash, NEW.scopes, NEW.status, NEW.created_at, NEW.name,
        NEW.description, NEW.metadata, NEW.expires_at, NEW.replaces, NEW.replaced_by, NEW.rate_limits,
        NEW.credits_refill_amount, NEW.credits_refill_interval, NEW.credits_balance_id)
    ) EXECUTE FUNCTION latchkey_notify_change();
  `,
]

/** The schema version this copy of the package writes and reads. */
export const SCHEMA_VERSION = migrations.length

/** Serialises migrations of one database across processes: any fixed 64-bit number would do. */
const migrationLock = 7_301_862_113_554_209n

/**
 * Brings the database `client` is connected to to {@link SCHEMA_VERSION}, in one transaction under
 * an advisory lock, so instances starting together migrate once and the others wait and find it done.
 *
 * @throws {LatchkeyError} `ERR_STORE_UNAVAILABLE` when the database was migrated by a newer version
 *   of this package: reading a schema it does not know could misread keys.
 */
export async function migrate(client: pg.ClientBase): Promise<void> {
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock.toString()])
    await client.query(
      `CREATE TABLE IF NOT EXISTS latchkey_schema_migrations (
        version integer PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    )
    const { rows } = await client.query<{ version: number }>(
      'SELECT coalesce(max(version), 0)::integer AS version FROM latchkey_schema_migrations',
    )
    const version = rows[0]?.version ?? 0
    if (version > SCHEMA_VERSION) {
      throw new LatchkeyError(
        'ERR_STORE_UNAVAILABLE',
        `The Postgres database has Latchkey schema version ${version}, newer than version ${SCHEMA_VERSION} that this @latchkey/store-postgres knows. Upgrade @latchkey/store-postgres on every instance to use it.`,
      )
    }
    for (const [index, sql] of migrations.entries()) {
      if (index < version) continue
      await client.query(sql)
      await client.query('INSERT INTO latchkey_schema_migrations (version) VALUES ($1)', [index + 1])
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}
