import { LatchkeyClientError } from './errors.js'

/**
 * Whether `hostname` (as `URL` gives it) is a loopback host: `localhost`, `*.localhost`
 * (RFC 6761 §6.3), `127.0.0.0/8` or `[::1]`.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  )
}

/**
 * Refuses to send credentials to `url` over plain HTTP unless the host is loopback or
 * `allowInsecureHttp` is set (RFC 6749 §3.2 and RFC 6750 §5.3 require TLS).
 *
 * @param what What the URL is, for the message (`'tokenUrl'`, `'the request URL'`).
 */
export function assertSecureUrl(url: URL, what: string, allowInsecureHttp: boolean): void {
  if (url.protocol === 'https:') return
  if (url.protocol !== 'http:') {
    throw new LatchkeyClientError(
      'ERR_INVALID_OPTIONS',
      `${what} must be an http(s) URL, got the scheme ${url.protocol}`,
    )
  }
  if (isLoopbackHost(url.hostname) || allowInsecureHttp) return
  throw new LatchkeyClientError(
    'ERR_INVALID_OPTIONS',
    `${what} uses plain http:// to ${url.hostname}, which would send credentials unencrypted. Use https://, or set allowInsecureHttp: true for a trusted network.`,
  )
}

/**
 * Checks the URL of an OAuth endpoint the secret is sent to: {@link assertSecureUrl}, and no
 * credentials in the URL itself (`https://user:pass@…`), which `fetch` refuses to send and which a
 * log would print.
 *
 * @param what The option that set it (`'tokenUrl'`, `'revocationUrl'`).
 */
export function assertEndpointUrl(url: URL, what: string, allowInsecureHttp: boolean): void {
  assertSecureUrl(url, what, allowInsecureHttp)
  if (url.username !== '' || url.password !== '') {
    throw new LatchkeyClientError(
      'ERR_INVALID_OPTIONS',
      `${what} holds credentials (user:password@), which are never sent that way. Remove them: the client authenticates with apiKey.`,
    )
  }
}

/** Parses an absolute URL option, with an error that names the option. */
export function parseUrlOption(value: string | URL, name: string): URL {
  try {
    return new URL(value)
  } catch (cause) {
    throw new LatchkeyClientError(
      'ERR_INVALID_OPTIONS',
      `${name} must be an absolute URL such as https://api.example.com.`,
      {
        cause,
      },
    )
  }
}
