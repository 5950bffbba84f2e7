import { UsageError } from './usage-error.js'

/** The most read from standard input, in bytes: a secret has at most 256 characters. */
const maxBytes = 65_536

/**
 * The one line on `stdin`, without its line ending (`\n` or `\r\n`), as `printf '%s\n' "$SECRET" |`
 * or a file redirect hands it over. More than one line is refused: a whole `apiKey.properties`
 * piped by mistake must not become a secret. Errors never show what was read.
 *
 * @param flag The option that asked for it, for messages, as `--secret-stdin`.
 */
export async function readStdinLine(
  stdin: AsyncIterable<string | Uint8Array> | undefined,
  flag: string,
  command: string,
): Promise<string> {
  if (!stdin) throw new UsageError(`${flag} needs a standard input, and this run has none.`, command)
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let text = ''
  let bytes = 0
  try {
    for await (const chunk of stdin) {
      const data = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk
      bytes += data.length
      if (bytes > maxBytes)
        throw new UsageError(
          `${flag}: standard input holds more than ${maxBytes} bytes; pipe the secret alone.`,
          command,
        )
      text += decoder.decode(data, { stream: true })
    }
    text += decoder.decode()
  } catch (error) {
    if (error instanceof UsageError) throw error
    if (error instanceof TypeError)
      throw new UsageError(`${flag}: standard input is not UTF-8 text.`, command, { cause: error })
    throw error
  }
  const line = /^([^\r\n]*)(?:\r?\n)?$/.exec(text)?.[1]
  if (line === undefined) {
    throw new UsageError(
      `${flag}: standard input holds more than one line; pipe the secret alone, on one line.`,
      command,
    )
  }
  if (line === '') throw new UsageError(`${flag}: standard input is empty; pipe the secret in.`, command)
  return line
}
