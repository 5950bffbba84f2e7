import type { KeyStore } from '@latchkey/verifier'
import { afterEach, beforeEach, describe } from 'vitest'
import type { ConformanceHarness, KeyStoreOpener, OpenedKeyStore } from './harness.js'
import { describeAccountUpdates } from './suites/account-updates.js'
import { describeAccounts } from './suites/accounts.js'
import { describeApiKeys } from './suites/api-keys.js'
import { describeChangeAnnouncements } from './suites/change-announcements.js'
import { describeConcurrency } from './suites/concurrency.js'
import { describeCreditRefills } from './suites/credit-refills.js'
import { describeCredits } from './suites/credits.js'
import { describeFirstSigningKey } from './suites/first-signing-key.js'
import { describeKeyFields } from './suites/key-fields.js'
import { describeKeyRotation } from './suites/key-rotation.js'
import { describeKeyUpdates } from './suites/key-updates.js'
import { describeLastUsed } from './suites/last-used.js'
import { describePersistence } from './suites/persistence.js'
import { describeRateLimits } from './suites/rate-limits.js'
import { describeRevokedTokens } from './suites/revoked-tokens.js'
import { describeSealedSigningKeys } from './suites/sealed-signing-keys.js'
import { describeSigningKeys } from './suites/signing-keys.js'
import { describeUnreachable } from './suites/unreachable.js'
import { describeUsageCounts } from './suites/usage-counts.js'

/** Options of {@link describeKeyStoreConformance}. */
export interface KeyStoreConformanceOptions {
  /**
   * Opens the database the last `open` call opened, after the suite has closed it: given, the suite
   * also checks that what was written survives a reopen. Default: none, for stores that do not persist.
   */
  readonly reopen?: KeyStoreOpener | undefined
  /**
   * Opens another store on the database the last `open` call opened, while that one stays open, as
   * a second instance (another connection, another process) would: given, the suite races writers
   * on separate connections of one database. Default: none, and races run on the one store.
   */
  readonly connect?: KeyStoreOpener | undefined
  /**
   * Opens a store whose database cannot be reached (a server that is down, a closed handle): given,
   * the suite checks that every call fails and the verifier answers `503`. Default: none.
   */
  readonly unreachable?: KeyStoreOpener | undefined
}

/**
 * Registers the vitest `describe` block every {@link KeyStore} must pass. Call it at the top level
 * of a test file.
 *
 * @param name - Names the store in the test report.
 * @param open - Opens an empty store; called before every test, and the store is closed after it.
 *   Each call must give a store that shares nothing with earlier ones (a new file, schema or database).
 */
export function describeKeyStoreConformance(
  name: string,
  open: KeyStoreOpener,
  options: KeyStoreConformanceOptions = {},
): void {
  describe(`KeyStore conformance: ${name}`, () => {
    let opened: OpenedKeyStore | undefined
    /** The other connections of the running test, from `connect`. */
    const others: OpenedKeyStore[] = []

    beforeEach(async () => {
      opened = await open()
    })

    afterEach(async () => {
      const current = opened
      opened = undefined
      await Promise.all(others.splice(0).map((other) => other.close()))
      await current?.close()
    })

    const { reopen, connect } = options
    const harness: ConformanceHarness = {
      store() {
        if (!opened) throw new Error('The store is used outside a test; call store() inside it() only.')
        return opened.store
      },
      reopen: reopen && (async () => reopenCurrent(reopen)),
      connect: connect && (async () => connectAnother(connect)),
    }

    async function connectAnother(connect: KeyStoreOpener): Promise<KeyStore> {
      if (!opened) throw new Error('The store is used outside a test; call connect() inside it() only.')
      const other = await connect()
      others.push(other)
      return other.store
    }

    async function reopenCurrent(reopen: KeyStoreOpener): Promise<KeyStore> {
      const current = opened
      opened = undefined
      await current?.close()
      opened = await reopen()
      return opened.store
    }

    describeAccounts(harness)
    describeAccountUpdates(harness)
    describeApiKeys(harness)
    describeKeyFields(harness)
    describeKeyUpdates(harness)
    describeKeyRotation(harness)
    describeChangeAnnouncements(harness)
    describeSigningKeys(harness)
    describeFirstSigningKey(harness)
    describeSealedSigningKeys(harness)
    describeLastUsed(harness)
    describeRevokedTokens(harness)
    describeRateLimits(harness)
    describeCredits(harness)
    describeCreditRefills(harness)
    describeUsageCounts(harness)
    describeConcurrency(harness)
    describePersistence(harness)
    describeUnreachable(options.unreachable)
  })
}
