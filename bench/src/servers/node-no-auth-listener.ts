import type { RequestListener } from 'node:http'
import { text } from 'node:stream/consumers'
import { helloBody, noAuthTokenBody } from './listen.js'

const hello = JSON.stringify(helloBody)

/**
 * The no-auth `node:http` answers: `{"ok":true}` to a GET, a token-shaped JSON to a form POST. The
 * `node:http` baseline serves nothing else; the Fetch adapter's server serves it under the no-auth
 * prefix, so its scenarios can be compared with their own process.
 */
export const noAuthListener: RequestListener = (req, res) => {
  if (req.method === 'POST') {
    text(req).then((body) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' })
      res.end(JSON.stringify(noAuthTokenBody(new URLSearchParams(body).get('grant_type'))))
    })
    return
  }
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(hello)
}
