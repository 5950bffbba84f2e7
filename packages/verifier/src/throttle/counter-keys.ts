import { isWellFormedCredential } from '../basic/api-key.js'
import { formatIp, isIpv4, parseIp } from '../lib/ip-address.js'
import { memoize } from '../lib/memo.js'

/** The three ways failures are counted: per key id and address, per address, per key id. */
export type Dimension = 'pair' | 'address' | 'key'

/** The key of each counter a subject is counted in; a dimension without one is not counted. */
export type CounterKeys = Partial<Record<Dimension, string>>

/** Who a credential check is for: the key id presented and the client address, when known. */
export interface ThrottleSubject {
  readonly keyId: string
  readonly address: string | undefined
}

/**
 * The counter keys of `subject`. Only well-formed ids are counted per id (they are what reaches the
 * store; the format is public), cut to 128 characters to bound keys. An IPv6 client counts by its
 * /64, the smallest block a host is usually given: otherwise one host could rotate through 2^64
 * addresses.
 */
export function counterKeys({ keyId, address }: ThrottleSubject): CounterKeys {
  // Built without spreads: this runs on every Basic and token request.
  const keys: { -readonly [dimension in Dimension]?: string } = {}
  if (isWellFormedCredential(keyId)) keys.key = keyId.length > 128 ? keyId.slice(0, 128) : keyId
  if (address !== undefined) {
    keys.address = networkOf(address)
    if (keys.key !== undefined) keys.pair = `${keys.key}@${keys.address}`
  }
  return keys
}

/** Recently seen addresses and their counter keys: parsing an address costs more than looking it up. */
export const networkOf = memoize(1024, (address: string): string => {
  const bytes = parseIp(address)
  if (!bytes) return address.slice(0, 64)
  if (isIpv4(bytes)) return formatIp(bytes)
  bytes.fill(0, 8)
  return `${formatIp(bytes)}/64`
})
