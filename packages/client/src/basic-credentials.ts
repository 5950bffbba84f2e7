/**
 * RFC 6749 §2.3.1: at the token endpoint, id and secret are `application/x-www-form-urlencoded`
 * before they go into Basic credentials, so `:`, `+`, `%` and spaces survive the round trip.
 * `URLSearchParams` is the WHATWG form serializer: only `A-Za-z0-9*-._` stay as is, space becomes `+`.
 */
export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1)
}

/** The `Authorization` value for the token endpoint (client_secret_basic, RFC 6749 §2.3.1). */
export function clientSecretBasic(id: string, secret: string): string {
  return `Basic ${base64(`${formEncode(id)}:${formEncode(secret)}`)}`
}

/** The `Authorization` value of HTTP Basic (RFC 7617) for API calls: UTF-8, no form-encoding. */
export function httpBasic(id: string, secret: string): string {
  return `Basic ${base64(`${id}:${secret}`)}`
}

function base64(text: string): string {
  let binary = ''
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}
