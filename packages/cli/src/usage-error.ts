/**
 * A mistake on the command line (an unknown command or option, a missing argument, a malformed
 * database URL). The CLI reports it on one line, with a pointer to the help of `command`, and exits
 * with code 2, the conventional code for a usage error.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  /** The command whose `--help` explains the right usage, as in `latchkey keys create`; `undefined` when the message says enough. */
  readonly command: string | undefined

  constructor(message: string, command: string | undefined, options: { cause?: unknown } = {}) {
    super(message, options)
    this.command = command
  }
}
