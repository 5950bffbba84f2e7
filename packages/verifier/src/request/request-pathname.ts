/**
 * A path written only in characters the URL parser leaves as they are: no `.` (dot segments), no `%`
 * (percent-encoding), no `\` (read as `/`), no character it would encode or strip.
 */
const plainPath = /^\/[\w\-~!$&'()*+,;=:@/]*$/

/**
 * The pathname of a request target, path and query (`/a?b`) or absolute (`https://host/a?b`, as a Web
 * `Request` has it), as `new URL(url, 'http://localhost').pathname` reads it: when the path is plain,
 * the target itself from the path to `?` or `#`, which is what clients send, with no URL parsed (on
 * every request of an app whose routes come after the verifier's); otherwise parsed. Never throws: a
 * target the parser refuses (`//`, a host without a name) is answered as written, which names none of
 * the verifier's paths.
 */
export function requestPathname(url: string): string {
  const start = pathStart(url)
  let end = url.indexOf('?', start)
  const hash = url.indexOf('#', start)
  if (hash !== -1 && (end === -1 || hash < end)) end = hash
  const path = url.slice(start, end === -1 ? url.length : end)
  if (plainPath.test(path) && !path.startsWith('//')) return path
  try {
    return new URL(url, 'http://localhost').pathname
  } catch {
    return path
  }
}

/**
 * Where the path of `url` starts: 0 for a target without a scheme, after the authority of an `http:`
 * or `https:` URL whose authority ends with `/`, else the end (no plain path: parsed).
 */
function pathStart(url: string): number {
  const scheme = url.startsWith('https://') ? 8 : url.startsWith('http://') ? 7 : 0
  if (scheme === 0) return 0
  const slash = url.indexOf('/', scheme)
  // No authority (`http:///x`: the parser skips the slashes and reads a host) or no path: parsed.
  if (slash === -1 || slash === scheme) return url.length
  for (let index = scheme; index < slash; index++) {
    const char = url.charCodeAt(index)
    // `\`, `?` and `#` end an authority before any `/`, and a space or control character is not plain.
    if (char === 92 || char === 63 || char === 35 || char <= 32) return url.length
  }
  return slash
}
