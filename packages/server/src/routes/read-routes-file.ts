import { readFileSync } from 'node:fs'
import type { RouteRule } from './route-rules.js'
import { parseRoutesFile, RoutesFileError } from './routes-file.js'

/**
 * The rules of the routes file at `path` ({@link parseRoutesFile}).
 *
 * @param shownAs How messages name the file. Default: `path`.
 * @throws {RoutesFileError} When the file cannot be read (line 1) or used.
 */
export function readRoutesFile(path: string, shownAs: string = path): readonly RouteRule[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new RoutesFileError(shownAs, 1, `the file cannot be read (${code})`)
  }
  return parseRoutesFile(text, shownAs)
}
