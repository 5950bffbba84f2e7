import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { startServer } from '@latchkey/cli'
import next from 'next'

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
// Read by lib/verifier.ts; set here so that PORT=0 still names one issuer for the whole process.
process.env.LATCHKEY_ISSUER ??= `http://localhost:${port}`

const app = next({ dev: false, dir: fileURLToPath(new URL('..', import.meta.url)) })
await app.prepare()
const handle = app.getRequestHandler()

const server = createServer((req, res) => {
  // Node keeps only the first of repeated Authorization lines in req.headers, and Next.js builds the
  // route handler's Request from them: join the lines as Fetch does, so the verifier refuses them.
  const authorization = req.headersDistinct.authorization ?? []
  if (authorization.length > 1) req.headers.authorization = authorization.join(', ')
  void handle(req, res)
})
// A port that is taken stops the server here with one line. The verifier lives in the route handlers'
// bundle (lib/verifier.ts), out of reach here: a key-encryption key that opens no signing key shows at
// the first token request, as a 500.
const address = await startServer({ server, host, port })
console.log(`Latchkey example API on http://${host}:${address.port} (issuer ${process.env.LATCHKEY_ISSUER})`)

function shutdown(): void {
  server.close(() => {
    void app.close().finally(() => process.exit(0))
  })
  server.closeAllConnections()
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
