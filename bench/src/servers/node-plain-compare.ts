import type { RequestListener } from 'node:http'
import auth from 'basic-auth'

/**
 * A `node:http` listener behind the `basic-auth` module (jshttp's parser, what Express's and Koa's Basic
 * middleware build on) and a plain-text compare of the given key id and secret: a node:http app's
 * cheapest Basic check, the hot-path anchor of issue #22. 200 with `body`, or 401 with a Basic challenge.
 */
export function nodePlainCompare(
  key: { readonly keyId: string; readonly secret: string },
  body: string,
): RequestListener {
  return (req, res) => {
    const user = auth(req)
    if (user?.name === key.keyId && user.pass === key.secret) {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(body)
    } else {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="bench"' })
      res.end()
    }
  }
}
