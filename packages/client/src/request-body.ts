/**
 * Whether a `fetch` body can be sent a second time as is: strings, buffers, typed arrays, `Blob`,
 * `URLSearchParams` and `FormData`. A `ReadableStream` or async iterable is consumed by the first
 * send, and buffering it for a retry could hold gigabytes (sindresorhus/ky#831), so it is not.
 */
export function isReplayableBody(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof URLSearchParams ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof FormData !== 'undefined' && body instanceof FormData)
  )
}
