/**
 * IP addresses as 16 bytes (IPv4 as IPv4-mapped IPv6, RFC 4291 §2.5.5.2), so that one comparison
 * serves both families. Internal: only what client-address resolution and throttling keys need.
 */

/** The 16 bytes of `text` (IPv4 dotted quad, IPv6, IPv4-mapped IPv6, optional `%zone`), or `undefined`. */
export function parseIp(text: string): Uint8Array | undefined {
  const value = text.trim().replace(/%[\w.-]+$/, '')
  if (value.includes(':')) return parseIpv6(value)
  const v4 = parseIpv4(value)
  if (!v4) return undefined
  const bytes = new Uint8Array(16)
  bytes[10] = 0xff
  bytes[11] = 0xff
  bytes.set(v4, 12)
  return bytes
}

/** Whether `bytes` is an IPv4 address (IPv4-mapped). */
export function isIpv4(bytes: Uint8Array): boolean {
  for (let index = 0; index < 10; index++) if (bytes[index] !== 0) return false
  return bytes[10] === 0xff && bytes[11] === 0xff
}

/** The canonical text of `bytes`: dotted quad for IPv4, lower-case hex groups for IPv6 (no `::` compression). */
export function formatIp(bytes: Uint8Array): string {
  if (isIpv4(bytes)) return [...bytes.subarray(12)].join('.')
  const groups: string[] = []
  for (let index = 0; index < 16; index += 2)
    groups.push((((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0)).toString(16))
  return groups.join(':')
}

/** A CIDR range (`10.0.0.0/8`, `fd00::/8`) or a single address, as a predicate; throws on a malformed one. */
export function ipMatcher(range: string): (address: Uint8Array) => boolean {
  const [base = '', prefixText] = range.split('/')
  const bytes = parseIp(base)
  if (!bytes || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) {
    throw new TypeError(`trustedProxies holds ${JSON.stringify(range)}, which is not an IP address or CIDR range.`)
  }
  const v4 = isIpv4(bytes)
  const maxPrefix = v4 ? 32 : 128
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText)
  if (prefix > maxPrefix) throw new TypeError(`The prefix length of ${range} is larger than ${maxPrefix}.`)
  const bits = v4 ? 96 + prefix : prefix
  return (address) => {
    for (let bit = 0; bit < bits; bit += 8) {
      const index = bit / 8
      const mask = bits - bit >= 8 ? 0xff : (0xff << (8 - (bits - bit))) & 0xff
      if (((address[index] ?? 0) & mask) !== ((bytes[index] ?? 0) & mask)) return false
    }
    return true
  }
}

function parseIpv4(value: string): Uint8Array | undefined {
  const parts = value.split('.')
  if (parts.length !== 4) return undefined
  const bytes = new Uint8Array(4)
  for (const [index, part] of parts.entries()) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined
    bytes[index] = Number(part)
  }
  return bytes
}

function parseIpv6(value: string): Uint8Array | undefined {
  if (!/^[0-9A-Fa-f:.]{2,45}$/.test(value)) return undefined
  const halves = value.split('::')
  if (halves.length > 2) return undefined
  const groups = (half: string | undefined): number[] | undefined => {
    if (half === undefined || half === '') return []
    const out: number[] = []
    const parts = half.split(':')
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part)
        if (!v4) return undefined
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0))
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
        out.push(Number.parseInt(part, 16))
      } else {
        return undefined
      }
    }
    return out
  }
  const head = groups(halves[0])
  const tail = groups(halves[1])
  if (!head || !tail) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const all = [...head, ...new Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail]
  const bytes = new Uint8Array(16)
  for (const [index, group] of all.entries()) {
    bytes[index * 2] = group >> 8
    bytes[index * 2 + 1] = group & 0xff
  }
  return bytes
}
