import { LatchkeyError } from '../errors.js'
import type { UsageRow } from '../usage-limits/usage-counts.js'
import { usageLister } from './limit-support.js'
import { type ManagerContext, requireAccount, requireApiKey } from './manager-context.js'

/** How far back {@link UsageOptions.since} reaches when it is not given: 24 hours, in ms. */
export const DEFAULT_USAGE_PERIOD = 86_400_000

/** Options of {@link KeyManager.keyUsage} and {@link KeyManager.accountUsage}. */
export interface UsageOptions {
  /**
   * The earliest hour to return: counts whose UTC hour starts at or after it. Give the start of an
   * hour (`hourOf`) to include the hour it falls in. Default: 24 hours before now.
   */
  readonly since?: Date | undefined
}

/** Usage counts of key `id` from `since`, by hour, then outcome; `ERR_NOT_FOUND` for an unknown key. */
export async function keyUsage(context: ManagerContext, id: string, options: UsageOptions = {}): Promise<UsageRow[]> {
  const since = checkSince(context, options)
  const listUsage = usageLister(context.store)
  const key = await requireApiKey(context, id)
  return listUsage({ keyId: key.id, since })
}

/**
 * Usage counts of every key of account `id` from `since`, by hour, then key id, then outcome;
 * `ERR_NOT_FOUND` for an unknown account.
 */
export async function accountUsage(
  context: ManagerContext,
  id: string,
  options: UsageOptions = {},
): Promise<UsageRow[]> {
  const since = checkSince(context, options)
  const listUsage = usageLister(context.store)
  const account = await requireAccount(context, id)
  return listUsage({ accountId: account.id, since })
}

function checkSince(context: ManagerContext, { since }: UsageOptions): Date {
  if (since === undefined) return new Date(context.now().getTime() - DEFAULT_USAGE_PERIOD)
  if (!(since instanceof Date) || Number.isNaN(since.getTime())) {
    throw new LatchkeyError('ERR_INVALID_ARGUMENT', 'since must be a valid Date.')
  }
  return new Date(since.getTime())
}
