import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fuzzRuns } from '../../test/fuzz-runs.js'
import { isLatchkeyError } from '../errors.js'
import { MAX_FORM_BODY_BYTES, MAX_FORM_PARAMETERS, readFormBody } from './form-body.js'

/** No lone surrogate: only such text survives UTF-8 encoding unchanged. */
const isWellFormed = (value: string) => !/\p{Cs}/u.test(value)

const formType = 'application/x-www-form-urlencoded'

/** A request whose body arrives in the given chunks, without a Content-Length. */
function streamed(chunks: readonly Uint8Array[], contentType: string | undefined = formType): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
  const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType }
  return new Request('https://api.example.test/oauth/token', {
    method: 'POST',
    headers,
    body,
    duplex: 'half',
  } as RequestInit)
}

/** The parsed form, or the code of what was thrown (`'unexpected'` for anything but a LatchkeyError). */
async function outcome(request: Request): Promise<Map<string, string> | string> {
  try {
    return await readFormBody(request)
  } catch (error) {
    return isLatchkeyError(error) ? error.code : 'unexpected'
  }
}

/** `bytes` cut at the given points: chunking must never change the answer. */
function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point))
    start = point
  }
  return chunks
}

const wellFormed = fc.string({ unit: 'binary', maxLength: 40 }).filter((text) => isWellFormed(text))
const pairs = fc.array(
  fc.tuple(fc.oneof(fc.constantFrom('grant_type', 'scope', 'client_id'), wellFormed), wellFormed),
  {
    maxLength: MAX_FORM_PARAMETERS + 4,
  },
)

describe('readFormBody', () => {
  it('never throws anything but ERR_INVALID_REQUEST, whatever the bytes, chunks and media type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.option(
          fc.constantFrom(
            formType,
            `${formType}; charset=utf-8`,
            'text/plain',
            '',
            'APPLICATION/X-WWW-FORM-URLENCODED',
          ),
        ),
        async (bytes, cuts, contentType) => {
          const result = await outcome(streamed(chunked(bytes, cuts), contentType ?? undefined))
          if (typeof result === 'string') expect(result).toBe('ERR_INVALID_REQUEST')
        },
      ),
      { numRuns: fuzzRuns(1000) },
    )
  })

  it('round-trips what URLSearchParams encodes, omits empty values, and never accepts a duplicate or more than the limit', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, fc.array(fc.nat(), { maxLength: 4 }), async (entries, cuts) => {
        const bytes = new TextEncoder().encode(new URLSearchParams(entries).toString())
        const result = await outcome(streamed(chunked(bytes, cuts)))
        // RFC 6749 §3.2: a parameter without a value is as if it were not there, repeated or not.
        const given = entries.filter(([, value]) => value !== '')
        const names = given.map(([name]) => name)
        const acceptable =
          new Set(names).size === names.length &&
          entries.length <= MAX_FORM_PARAMETERS &&
          bytes.length <= MAX_FORM_BODY_BYTES
        if (acceptable) expect(result).toEqual(new Map(given))
        else expect(result).toBe('ERR_INVALID_REQUEST')
      }),
      { numRuns: fuzzRuns(1000) },
    )
  })

  it(`refuses any body over ${MAX_FORM_BODY_BYTES} bytes, in whatever chunks it comes`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: MAX_FORM_BODY_BYTES + 1, max: MAX_FORM_BODY_BYTES * 3 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (size, cuts) => {
          const bytes = new TextEncoder().encode(`a=${'b'.repeat(size - 2)}`)
          expect(await outcome(streamed(chunked(bytes, cuts)))).toBe('ERR_INVALID_REQUEST')
        },
      ),
      { numRuns: fuzzRuns(50) },
    )
  })

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    let pulled = false
    const body = new ReadableStream<Uint8Array>(
      {
        pull() {
          pulled = true
        },
      },
      { highWaterMark: 0 },
    )
    const request = new Request('https://api.example.test/oauth/token', {
      method: 'POST',
      headers: { 'content-type': formType, 'content-length': String(MAX_FORM_BODY_BYTES + 1) },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(await outcome(request)).toBe('ERR_INVALID_REQUEST')
    expect(pulled).toBe(false)
  })

  it('refuses invalid UTF-8, and names only short, plain parameters in its messages', async () => {
    expect(await outcome(streamed([new Uint8Array([0x61, 0x3d, 0xff])]))).toBe('ERR_INVALID_REQUEST')
    const secretName = 'lksecret_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'
    const error = await readFormBody(streamed([new TextEncoder().encode(`${secretName}=1&${secretName}=2`)])).catch(
      (caught: unknown) => caught,
    )
    expect(String((error as Error).message)).not.toContain(secretName)
    expect(String((error as Error).message)).toContain('a parameter')
  })
})
