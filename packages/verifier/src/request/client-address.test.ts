import { describe, expect, it } from 'vitest'
import { createClientAddressResolver } from './client-address.js'

const xff = (value: string) => new Headers({ 'x-forwarded-for': value })

describe('The client address', () => {
  it('is the peer address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const resolve = createClientAddressResolver({})
    expect(resolve('203.0.113.9', xff('198.51.100.1'))).toBe('203.0.113.9')
    expect(resolve('::ffff:127.0.0.1', undefined)).toBe('127.0.0.1')
    expect(resolve('2001:DB8::1', undefined)).toBe('2001:db8:0:0:0:0:0:1')
    expect(resolve(undefined, xff('198.51.100.1'))).toBeUndefined()
  })

  it('walks X-Forwarded-For from the right past trusted proxies, never reading what the client wrote', () => {
    const resolve = createClientAddressResolver({ trustedProxies: ['127.0.0.1', '10.0.0.0/8'] })
    expect(resolve('127.0.0.1', xff('198.51.100.1'))).toBe('198.51.100.1')
    expect(resolve('127.0.0.1', xff('6.6.6.6, 198.51.100.1, 10.1.2.3'))).toBe('198.51.100.1')
    expect(resolve('::ffff:127.0.0.1', xff('198.51.100.1:4711'))).toBe('198.51.100.1')
    // Not a trusted peer: its header is the client's own writing.
    expect(resolve('203.0.113.9', xff('198.51.100.1'))).toBe('203.0.113.9')
    // A trusted peer that forwards nothing: the peer is the client.
    expect(resolve('127.0.0.1', new Headers())).toBe('127.0.0.1')
  })

  it('answers a repeated peer and header as the first time, and never lends the answer for one peer to another', () => {
    const resolve = createClientAddressResolver({ trustedProxies: ['127.0.0.1'] })
    for (let round = 0; round < 3; round++) {
      expect(resolve('127.0.0.1', xff('6.6.6.6, 198.51.100.1'))).toBe('198.51.100.1')
      // The same header from an untrusted peer is the client's own writing.
      expect(resolve('203.0.113.9', xff('6.6.6.6, 198.51.100.1'))).toBe('203.0.113.9')
    }
    // Past the remembered length, the walk is the same.
    const long = `${'6.6.6.6, '.repeat(40)}198.51.100.2`
    expect(resolve('127.0.0.1', xff(long))).toBe('198.51.100.2')
    expect(resolve('127.0.0.1', xff(long))).toBe('198.51.100.2')
  })

  it('reads repeated header lines as one list', () => {
    const resolve = createClientAddressResolver({ trustedProxies: ['127.0.0.1'] })
    expect(resolve('127.0.0.1', { 'x-forwarded-for': ['6.6.6.6', '198.51.100.1'] })).toBe('198.51.100.1')
  })

  it('trusts a count of hops, the peer being the first', () => {
    const resolve = createClientAddressResolver({ trustedProxies: 2 })
    expect(resolve('10.0.0.1', xff('6.6.6.6, 198.51.100.1, 10.0.0.2'))).toBe('198.51.100.1')
    expect(resolve(undefined, xff('6.6.6.6, 198.51.100.1, 10.0.0.2'))).toBe('198.51.100.1')
    expect(resolve('10.0.0.1', xff('198.51.100.1'))).toBe('198.51.100.1')
  })

  it('reads the for= parameter of Forwarded (RFC 7239) when told to', () => {
    const resolve = createClientAddressResolver({ trustedProxies: ['127.0.0.1'], forwardedHeader: 'forwarded' })
    const headers = new Headers({
      forwarded: 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https',
      'x-forwarded-for': '198.51.100.1',
    })
    expect(resolve('127.0.0.1', headers)).toBe('2001:db8:cafe:0:0:0:0:17')
  })

  it('refuses a malformed proxy range', () => {
    expect(() => createClientAddressResolver({ trustedProxies: ['10.0.0.0/40'] })).toThrow(/prefix length/)
    expect(() => createClientAddressResolver({ trustedProxies: ['proxy.local'] })).toThrow(/not an IP address/)
    expect(() => createClientAddressResolver({ trustedProxies: -1 })).toThrow(/hop count/)
  })
})
