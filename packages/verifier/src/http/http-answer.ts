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
