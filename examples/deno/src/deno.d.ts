// The part of Deno's API this example uses, so that it typechecks with tsc and without a types
// package. https://docs.deno.com/api/deno/~/Deno.serve

declare namespace Deno {
  interface NetAddr {
    readonly transport: 'tcp' | 'udp'
    readonly hostname: string
    readonly port: number
  }

  interface ServeHandlerInfo {
    /** The peer of the connection the request came on. */
    readonly remoteAddr: NetAddr
  }

  interface ServeOptions {
    readonly hostname: string
    readonly port: number
    /** Called once listening; without it, Deno prints its own "Listening on" line. */
    onListen(address: NetAddr): void
  }

  interface HttpServer {
    /** Where it listens: the port the system chose when given 0. */
    readonly addr: NetAddr
    /** Stops listening; resolves once the requests in flight are answered. */
    shutdown(): Promise<void>
  }

  /** Listens at once; throws an error with `code` `EADDRINUSE`… when it cannot. */
  function serve(
    options: ServeOptions,
    handler: (request: Request, info: ServeHandlerInfo) => Response | Promise<Response>,
  ): HttpServer

  /** Needs `--allow-env`. */
  const env: {
    toObject(): Record<string, string>
  }

  /** Needs `--allow-read`. */
  function cwd(): string

  function exit(code?: number): never

  function addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void
}
