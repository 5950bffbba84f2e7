import { type AddressInfo, createServer } from 'node:net'

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a server that cannot report the port it
 * picked itself (nginx, Caddy). Servers that can (`latchkey serve --port 0`, the echo backend) should.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}
