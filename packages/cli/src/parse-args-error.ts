import { type ParseArgsConfig, parseArgs } from 'node:util'

/** Option definitions, as `parseArgs` takes them. */
export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>

/**
 * The CLI's own words for the mistake a strict `parseArgs` refused in `argv`: `Unknown option
 * --frobnicate.`, `--account needs a value.`, `--json takes no value.`. Node's messages name its own
 * syntax (`Option '--account <value>' argument missing`) and suggest `--` tricks, so the mistake is
 * found again in the tokens of a lenient parse. Only option names are shown, never a value: a value
 * typed by mistake may be a secret.
 */
export function parseArgsErrorMessage(
  error: unknown,
  argv: readonly string[],
  options: ParseArgsOptionsConfig,
): string {
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true })
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined
    const flag = token.rawName
    if (option === undefined) return `Unknown option ${flag}.`
    if (option.type === 'boolean' && token.value !== undefined) return `${flag} takes no value.`
    if (option.type === 'string' && token.value === undefined) return `${flag} needs a value.`
    // What strict parsing calls ambiguous: `--account --name x` would take "--name" as the account.
    const value = token.value ?? ''
    if (option.type === 'string' && !token.inlineValue && value.length > 1 && value.startsWith('-')) {
      return `${flag} needs a value; for one that starts with "-", write ${flag}=VALUE.`
    }
  }
  return firstSentence(error)
}

/** A mistake the tokens do not show (a newer Node may refuse more): the first sentence of Node's message. */
function firstSentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const first = /^[^\n]*?[.?](?=\s|$)/.exec(message)?.[0] ?? message.split('\n')[0] ?? message
  return first.endsWith('.') ? first : `${first}.`
}
