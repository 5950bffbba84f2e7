/**
 * An HTTP answer as plain parts: what the core produces for every response it writes, and what each
 * adapter writes as it is, byte for byte. {@link toResponse} makes a Web `Response` of it.
 */
export interface HttpAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** JSON text, for every answer Latchkey writes. */
  readonly body: string
}

/** `answer` as a Web `Response`: the one place one is built. */
export function toResponse({ status, headers, body }: HttpAnswer): Response {
  return new Response(body, { status, headers })
}

/**
 * `response` with `headers` (an allowed request's `AuthenticationResult.headers`) set on it: on
 * itself, or, when its headers are immutable (a `fetch` answer, `Response.redirect`), on a copy.
 */
export function withHeaders(response: Response, headers: Readonly<Record<string, string>> | undefined): Response {
  if (headers === undefined) return response
  try {
    for (const name in headers) response.headers.set(name, headers[name] as string)
    return response
  } catch {
    const copy = new Response(response.body, response)
    for (const name in headers) copy.headers.set(name, headers[name] as string)
    return copy
  }
}
