/** Somewhere the CLI writes text. */
export interface TextOutput {
  write(text: string): unknown
}

/**
 * Everything the CLI takes from its process, passed in so that tests and other programs can run
 * it in-process, with their own streams, environment and working directory.
 */
export interface CliIo {
  /** Results: ids, tables, JSON, `apiKey.properties` text. Nothing else, so they can be piped. */
  readonly stdout: TextOutput
  /** Errors and usage text shown on a mistake. */
  readonly stderr: TextOutput
  /** Read for `LATCHKEY_DATABASE_URL`. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The directory relative paths (`sqlite:` files, `--out`) are resolved against. */
  readonly cwd: string
  /**
   * Where `keys import --secret-stdin` reads the secret: chunks of text or bytes (UTF-8), such as a
   * Node `Readable`. Default: none, so `--secret-stdin` fails with a message saying so.
   */
  readonly stdin?: AsyncIterable<string | Uint8Array> | undefined
}

/** The {@link CliIo} of this process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    // Touched only when read: opening process.stdin for every command would be a side effect for nothing.
    stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
  }
}
