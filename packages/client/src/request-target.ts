import type { ClientRequestInit } from './client.js'
import { assertSecureUrl } from './endpoint-url.js'
import { invalidOption } from './option-checks.js'

/** Where a client's calls go: inputs resolved against `baseUrl` and refused when they would leak credentials. */
export class RequestTarget {
  // The last string input and its checked URL: resolving and checking the same URL call after call
  // is most of what the client adds to a cached-token call. Never mutated, so it can be shared.
  #lastInput: string | undefined
  #lastTarget: URL | undefined
  readonly #baseUrl: URL | undefined
  readonly #allowInsecureHttp: boolean

  constructor(baseUrl: URL | undefined, allowInsecureHttp: boolean) {
    this.#baseUrl = baseUrl
    this.#allowInsecureHttp = allowInsecureHttp
  }

  /** The URL a string or URL input names, resolved against `baseUrl` and checked. */
  url(input: string | URL): URL {
    if (input === this.#lastInput && this.#lastTarget !== undefined) return this.#lastTarget
    let url: URL
    try {
      url = this.#baseUrl ? new URL(input, this.#baseUrl) : new URL(input)
    } catch (cause) {
      throw invalidOption('The request URL is relative: pass an absolute URL, or set baseUrl.', cause)
    }
    assertSecureUrl(url, 'The request URL', this.#allowInsecureHttp)
    if (typeof input === 'string') {
      this.#lastInput = input
      this.#lastTarget = url
    }
    return url
  }

  /** A Request input with `init` applied, checked; a Request is only built when the caller passed one. */
  request(input: Request, init: ClientRequestInit | undefined): Request {
    const { scope: _, ...requestInit } = init ?? {}
    const request = new Request(input, requestInit)
    assertSecureUrl(new URL(request.url), 'The request URL', this.#allowInsecureHttp)
    return request
  }
}
