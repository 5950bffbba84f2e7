import { formatIp, ipMatcher, parseIp } from '../lib/ip-address.js'
import { memoize } from '../lib/memo.js'

/**
 * Which peers' forwarding headers are believed: the addresses or CIDR ranges of your proxies
 * (`['10.0.0.0/8', '::1']`), or how many proxy hops sit in front of the server (`1` behind one load
 * balancer). Anything else could write `X-Forwarded-For` itself and pick the address it is throttled as.
 */
export type TrustedProxies = readonly string[] | number

/** The header a trusted proxy writes the client's address in. */
export type ForwardedHeader = 'x-forwarded-for' | 'forwarded'

/** Request headers as Node (`req.headers`, `req.headersDistinct`) or Fetch (`Headers`) holds them. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>

/** The client's address from the connection's peer address and the request headers. */
export type ClientAddressResolver = (peer: string | undefined, headers: HeaderSource | undefined) => string | undefined

/** Options of {@link createClientAddressResolver}. */
export interface ClientAddressOptions {
  readonly trustedProxies?: TrustedProxies | undefined
  readonly forwardedHeader?: ForwardedHeader | undefined
}

/**
 * Resolves the client's address: the connection's peer address, unless the peer is a trusted proxy,
 * in which case the forwarding header is walked from the right (the hop the nearest proxy appended)
 * past every trusted hop. Entries left of the first untrusted hop are the client's own writing and
 * are never read. Returns `undefined` when no address is known. Addresses come out canonical:
 * `::ffff:192.0.2.1` is `192.0.2.1`, and IPv6 is written in full.
 */
export function createClientAddressResolver({
  trustedProxies = [],
  forwardedHeader = 'x-forwarded-for',
}: ClientAddressOptions): ClientAddressResolver {
  if (typeof trustedProxies === 'number' && !(Number.isInteger(trustedProxies) && trustedProxies >= 0)) {
    throw new RangeError(
      `trustedProxies must be a list of addresses or a hop count of 0 or more, not ${trustedProxies}.`,
    )
  }
  const matchers = typeof trustedProxies === 'number' ? [] : trustedProxies.map(ipMatcher)
  const trusts = (hop: string | undefined, index: number): boolean => {
    if (typeof trustedProxies === 'number') return index < trustedProxies
    const bytes = hop === undefined ? undefined : parseIp(hop)
    return bytes !== undefined && matchers.some((matches) => matches(bytes))
  }
  const none = typeof trustedProxies === 'number' ? trustedProxies === 0 : matchers.length === 0

  const walk = (peer: string | undefined, forwarded: readonly string[]): string | undefined => {
    // Right to left: the connection's peer, then what each proxy appended, nearest first.
    const hops = [
      peer,
      ...(forwardedHeader === 'forwarded' ? forwardedFor(forwarded) : forwardedList(forwarded)).reverse(),
    ]
    for (let index = 0; index < hops.length; index++) {
      const next = hops[index + 1]
      if (!trusts(hops[index], index) || next === undefined) return canonical(hops[index])
    }
    return undefined
  }
  // Behind a proxy, one client sends the same peer and header value request after request: the walk
  // (splitting the header, parsing each hop against the trusted ranges) is remembered by both. A peer
  // address holds no space (one that does is walked every time), so the first space ends it.
  const walked = memoize(1024, (key: string) => {
    const space = key.indexOf(' ')
    return walk(key.slice(0, space), [key.slice(space + 1)])
  })

  return (peer, headers) => {
    if (none || headers === undefined) return canonical(peer)
    const forwarded = readHeader(headers, forwardedHeader)
    const single = forwarded.length === 1 ? (forwarded[0] as string) : undefined
    if (peer !== undefined && single !== undefined && single.length <= MEMOIZED_HEADER_LENGTH && !peer.includes(' ')) {
      return walked(`${peer} ${single}`)
    }
    return walk(peer, forwarded)
  }
}

/** The longest forwarding header value whose walk is remembered: longer ones are walked every time. */
const MEMOIZED_HEADER_LENGTH = 256

/**
 * The client's address of one request, resolved on first use and at most once: throttling and audit
 * events may both ask, and many requests need neither.
 */
export function lazyClientAddress(
  resolve: ClientAddressResolver,
  peer: string | undefined,
  headers: HeaderSource | undefined,
): () => string | undefined {
  let resolved: { readonly address: string | undefined } | undefined
  return () => {
    resolved ??= { address: resolve(peer, headers) }
    return resolved.address
  }
}

function canonical(hop: string | undefined): string | undefined {
  return hop === undefined ? undefined : canonicalHop(hop)
}

/** Recently seen hops and their canonical form: parsing an address costs more than looking it up. */
const canonicalHop = memoize(1024, (hop: string): string | undefined => {
  const bytes = parseIp(stripPort(hop))
  // A trusted proxy that writes something else ("unknown", an obfuscated name) is taken at its word.
  return bytes ? formatIp(bytes) : hop.trim().slice(0, 64) || undefined
})

function readHeader(headers: HeaderSource, name: string): string[] {
  if (headers instanceof Headers) {
    const value = headers.get(name)
    return value === null ? [] : [value]
  }
  const value = headers[name]
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...value]
}

function forwardedList(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(',')).map((entry) => entry.trim())
}

/** RFC 7239 §4: the `for` parameter of each forwarded-element. */
function forwardedFor(values: readonly string[]): string[] {
  return forwardedList(values).map((element) => {
    const pair = element.split(';').find((part) => /^\s*for\s*=/i.test(part))
    return pair === undefined
      ? 'unknown'
      : pair
          .slice(pair.indexOf('=') + 1)
          .trim()
          .replace(/^"|"$/g, '')
  })
}

/** `192.0.2.1:4711` and `[2001:db8::1]:4711` (RFC 7239 §6) without the port; bare IPv6 stays as it is. */
function stripPort(hop: string): string {
  const value = hop.trim()
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value)
  if (bracketed?.[1] !== undefined) return bracketed[1]
  return /^[\d.]+:\d+$/.test(value) ? value.slice(0, value.lastIndexOf(':')) : value
}
