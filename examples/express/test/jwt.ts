import { createHmac, createPrivateKey, generateKeyPairSync, type JsonWebKey, sign } from 'node:crypto'
import type { KeyStore } from '@latchkey/verifier'

/** Decodes one base64url JWT segment as JSON. */
export function decodeSegment(segment: string | undefined): Record<string, unknown> {
  if (segment === undefined) throw new Error('The token has too few segments.')
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>
}

/** The protected header and claims of a compact JWS, unverified. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, payload] = token.split('.')
  return { header: decodeSegment(header), claims: decodeSegment(payload) }
}

export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}

/** A compact JWS signed with an Ed25519 private JWK (alg EdDSA), built by hand: no JWT library decides anything. */
export function signEdDsa(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  privateJwk: object,
): string {
  const input = `${encodeSegment(header)}.${encodeSegment(claims)}`
  const key = createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' })
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`
}

/** A compact JWS with alg HS256 and `secret` as the HMAC key. */
export function signHs256(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string): string {
  const input = `${encodeSegment(header)}.${encodeSegment(claims)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

/** A fresh Ed25519 private key as a JWK, unrelated to the server's. */
export function foreignEd25519Jwk(): object {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })
}

/** The server's current signing key, read from the store (it exists once a token was issued). */
export async function serverSigningKey(
  store: KeyStore,
): Promise<{ kid: string; privateJwk: object; publicJwk: Record<string, unknown> }> {
  const keys = await store.listSigningKeys()
  const key = keys.at(-1)
  if (!key) throw new Error('The store has no signing key yet: issue a token first.')
  return { kid: key.kid, privateJwk: key.privateJwk, publicJwk: key.publicJwk as Record<string, unknown> }
}

/** Claims exactly as the server issues them, for `keyId`, valid for an hour from now. */
export function validClaims(issuer: string, keyId: string, scope = 'read'): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000)
  return {
    iss: issuer,
    sub: keyId,
    aud: issuer,
    client_id: keyId,
    iat,
    exp: iat + 3600,
    jti: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url'),
    scope,
  }
}
