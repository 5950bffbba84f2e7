// Anchor: fast-jwt's verifier alone on node:http, without its cache, EdDSA, with the checks Latchkey
// makes (algorithm, `typ: at+jwt`, iss, aud, exp) and the key read once: the cold-path primitive, what
// verifying a token never seen before costs through node:crypto.
import { createPublicKey } from 'node:crypto'
import { createVerifier } from 'fast-jwt'
import { readFixture } from '../fixture.js'
import { helloBody, listen } from './listen.js'
import { noAuthPrefix } from './no-auth-routes.js'
import { noAuthListener } from './node-no-auth-listener.js'

const fixture = readFixture()
const jwk = fixture.jwks.keys[0]
if (!jwk) throw new Error('The fixture has no signing key.')
const verify = createVerifier({
  key: createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string,
  algorithms: ['EdDSA'],
  allowedIss: fixture.issuer,
  allowedAud: fixture.issuer,
  checkTyp: 'at+jwt',
  requiredClaims: ['exp'],
})
const hello = JSON.stringify(helloBody)
const noAuthPath = `${noAuthPrefix}/`
listen((req, res) => {
  if (req.url?.startsWith(noAuthPath)) return noAuthListener(req, res)
  try {
    verify(req.headers.authorization?.replace(/^Bearer /i, '') ?? '')
  } catch {
    res.writeHead(401, { 'Content-Type': 'application/json' })
    return res.end('{"error":"invalid_token"}')
  }
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(hello)
})
