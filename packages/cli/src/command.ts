import { type ParseArgsConfig, parseArgs } from 'node:util'
import type { CliIo } from './cli-io.js'
import { DEFAULT_DATABASE_URL } from './database-url.js'
import { UsageError } from './usage-error.js'

/** Option definitions, as `parseArgs` takes them. */
type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>

/** Options every command takes, so `--database` works wherever a user puts it. */
const commonOptions = {
  database: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig

/** The help lines of {@link commonOptions}, for the end of every command's usage text. */
export const COMMON_OPTIONS_HELP = `  --database URL  The key store (default: $LATCHKEY_DATABASE_URL, else sqlite:./latchkey.db)
  -h, --help      Show this help`

type Parsed<Options extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{
    args: string[]
    options: Options & typeof commonOptions
    strict: true
    allowPositionals: true
  }>
>

/** What a command runs with. */
export interface CommandContext {
  readonly io: CliIo
  /** `--database` as given before the command name, if it was. */
  readonly database: string | undefined
}

/** What {@link CommandSpec.run} receives: the parsed command line and where the store is. */
export interface CommandInput<Options extends ParseArgsOptionsConfig> {
  readonly values: Parsed<Options>['values']
  /** Exactly as many as {@link CommandSpec.positionals} names. */
  readonly positionals: readonly string[]
  /** From `--database`, else `LATCHKEY_DATABASE_URL`, else {@link DEFAULT_DATABASE_URL}. */
  readonly databaseUrl: string
  readonly io: CliIo
}

/** A command as written in `commands/`. */
export interface CommandSpec<Options extends ParseArgsOptionsConfig> {
  /** The full command, as in `latchkey keys create`. */
  readonly path: string
  /** One line for the list of commands. */
  readonly summary: string
  /** The text of `--help`. */
  readonly usage: string
  /** The command's own options; `--database` and `--help` are added. */
  readonly options: Options
  /** The names of the required positional arguments, as in `['KEY_ID']`. */
  readonly positionals: readonly string[]
  run(input: CommandInput<Options>): Promise<void>
}

/** A command ready to run. */
export interface Command {
  readonly summary: string
  readonly usage: string
  run(argv: readonly string[], context: CommandContext): Promise<void>
}

/** A family of commands, as `latchkey keys …`. */
export interface CommandGroup {
  readonly summary: string
  readonly usage: string
  readonly commands: Readonly<Record<string, Command>>
}

/**
 * Turns a spec into a {@link Command}: parses its options strictly (an unknown option is an
 * error, not silently ignored), answers `--help`, checks the positional arguments and resolves the
 * database URL, so each command only does its own work.
 */
export function defineCommand<const Options extends ParseArgsOptionsConfig>(spec: CommandSpec<Options>): Command {
  return {
    summary: spec.summary,
    usage: spec.usage,
    async run(argv, { io, database }) {
      let parsed: Parsed<Options>
      try {
        parsed = parseArgs({
          args: [...argv],
          options: { ...spec.options, ...commonOptions },
          strict: true,
          allowPositionals: true,
        })
      } catch (error) {
        throw new UsageError(parseArgsMessage(error), spec.path, { cause: error })
      }
      const { values, positionals } = parsed
      // TypeScript cannot resolve the parsed type of a generic options object; these two are always there.
      const common = values as { readonly help?: boolean | undefined; readonly database?: string | undefined }
      if (common.help) {
        io.stdout.write(spec.usage)
        return
      }
      if (positionals.length !== spec.positionals.length) {
        const expected = spec.positionals.length === 0 ? 'no arguments' : spec.positionals.join(' ')
        const got = positionals.length === 0 ? 'none' : positionals.map((value) => JSON.stringify(value)).join(' ')
        throw new UsageError(`${spec.path} takes ${expected}; got ${got}.`, spec.path)
      }
      const databaseUrl = common.database ?? database ?? (io.env.LATCHKEY_DATABASE_URL || DEFAULT_DATABASE_URL)
      await spec.run({ values, positionals, databaseUrl, io })
    },
  }
}

/**
 * The first sentence of a `parseArgs` error: the rest suggests `--` tricks that confuse more than help.
 * `parseArgs` never puts an option's value in its messages, so no secret passed by mistake shows.
 */
function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const first = /^[^\n]*?[.?](?=\s|$)/.exec(message)?.[0] ?? message.split('\n')[0] ?? message
  return first.endsWith('.') ? first : `${first}.`
}
