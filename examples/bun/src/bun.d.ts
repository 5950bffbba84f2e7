// The part of Bun's API this example uses, so that it typechecks without bun-types.
// https://bun.sh/docs/api/http

declare namespace Bun {
  interface SocketAddress {
    readonly address: string
    readonly port: number
  }

  interface Server {
    /** The port it listens on: the one the system chose when given 0. */
    readonly port: number
    /** The peer of the connection `request` came on; `null` for a Unix socket. */
    requestIP(request: Request): SocketAddress | null
    /** Stops listening; resolves once the requests in flight are answered. */
    stop(closeActiveConnections?: boolean): Promise<void>
  }

  interface ServeOptions {
    readonly hostname: string
    readonly port: number
    fetch(request: Request, server: Server): Response | Promise<Response>
  }

  /** Listens at once; throws an error with `code` `EADDRINUSE`… when it cannot. */
  function serve(options: ServeOptions): Server
}
