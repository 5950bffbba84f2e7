import type { BenchKey } from './limited-keys.js'

/** The `Authorization: Basic` value of a key (RFC 7617: `id:secret` in base64). */
export function basicOf({ keyId, secret }: BenchKey): string {
  return `Basic ${Buffer.from(`${keyId}:${secret}`).toString('base64')}`
}
