import { parseArgs } from 'node:util'
import type { CliIo } from './cli-io.js'
import { DEFAULT_DATABASE_URL } from './database-url.js'
import { shown } from './duration.js'
import { type ParseArgsOptionsConfig, parseArgsErrorMessage } from './parse-args-error.js'
import { UsageError } from './usage-error.js'

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
      const options = { ...spec.options, ...commonOptions }
      let parsed: Parsed<Options>
      try {
        parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true })
      } catch (error) {
        // Help asked for beside a mistake still gets the help, as `--help` alone would.
        if (argv.includes('--help') || argv.includes('-h')) {
          io.stdout.write(spec.usage)
          return
        }
        throw new UsageError(parseArgsErrorMessage(error, argv, options), spec.path, { cause: error })
      }
      const { values, positionals } = parsed
      // TypeScript cannot resolve the parsed type of a generic options object; these two are always there.
      const common = values as { readonly help?: boolean | undefined; readonly database?: string | undefined }
      if (common.help) {
        io.stdout.write(spec.usage)
        return
      }
      const missing = spec.positionals.slice(positionals.length)
      if (missing.length > 0) throw new UsageError(`${spec.path} needs ${missing.join(' ')}.`, spec.path)
      const extra = positionals.slice(spec.positionals.length)
      if (extra.length > 0) {
        const takes = spec.positionals.length === 0 ? 'no arguments' : `only ${spec.positionals.join(' ')}`
        // Not repeated when it may be a secret pasted by mistake (see `shown`).
        const argument = shown(extra[0] ?? '')
        const named = argument.startsWith('"') ? ` ${argument}` : ''
        throw new UsageError(`Unexpected argument${named}: ${spec.path} takes ${takes}.`, spec.path)
      }
      const databaseUrl = common.database ?? database ?? (io.env.LATCHKEY_DATABASE_URL || DEFAULT_DATABASE_URL)
      await spec.run({ values, positionals, databaseUrl, io })
    },
  }
}
