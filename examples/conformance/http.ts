import * as http from 'node:http'

/** An answer, read whole. */
export interface HttpResult {
  readonly status: number
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A request of the suite. */
export interface HttpRequest {
  readonly method?: string
  /** Path and query. */
  readonly path: string
  /** An array value sends one header line per element, which `fetch` cannot do. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>
  readonly body?: string
}

/** Sends `request` through `node:http` on a fresh connection, within 10 s. */
export function send(base: string, request: HttpRequest): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      base + request.path,
      {
        method: request.method ?? 'GET',
        headers: (request.headers ?? {}) as http.OutgoingHttpHeaders,
        agent: false,
      },
      (response) => {
        const parts: Buffer[] = []
        response.on('data', (chunk: Buffer) => parts.push(chunk))
        response.on('error', reject)
        response.on('end', () => {
          const headers: Record<string, string> = {}
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
          }
          resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(parts).toString('utf8') })
        })
      },
    )
    outgoing.setTimeout(10_000, () => outgoing.destroy(new Error(`${request.path} timed out.`)))
    outgoing.on('error', reject)
    outgoing.end(request.body)
  })
}

/** The `Authorization` value of HTTP Basic (RFC 7617) for `id` and `secret`, UTF-8. */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`
}

/** A form-urlencoded `POST /oauth/token`. */
export function tokenRequest(
  form: Readonly<Record<string, string>> | string,
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): HttpRequest {
  return {
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
  }
}

/** A form-urlencoded `POST /oauth/revoke` (RFC 7009). */
export function revocationRequest(
  form: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): HttpRequest {
  return { ...tokenRequest(form, headers), path: '/oauth/revoke' }
}

/** The JSON body of `result`. */
export function json(result: HttpResult): Record<string, unknown> {
  return JSON.parse(result.body) as Record<string, unknown>
}
