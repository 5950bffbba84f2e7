import { type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser'
import { type RouteAuth, type RouteRule, rulePattern } from './route-rules.js'

/** A routes file that cannot be used: its message names the file and the line, and says what to write. */
export class RoutesFileError extends Error {
  override readonly name = 'RoutesFileError'
  readonly code = 'ERR_ROUTES_FILE'
  /** The file as it was named. */
  readonly file: string
  /** The line the problem is on, from 1. */
  readonly line: number

  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`)
    this.file = file
    this.line = line
  }
}

const ruleKeys = ['method', 'path', 'auth', 'scopes']
/** RFC 9110 §5.6.2 token, the form of a method name. */
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** RFC 6749 §3.3 scope-token. */
const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/
const standardMethods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']

/**
 * The rules of a routes file: strict JSON (no comments, no trailing commas, no repeated keys) holding
 * `{"routes": [{"method": "GET", "path": "/public/*", "auth": "none"}, …]}`. Each rule has a `path`
 * (required), a `method` (default `*`), `auth` (`"required"`, the default, or `"none"`) and `scopes`
 * (default none; only with `auth` required). Anything else is refused with the line it is on.
 *
 * @param file How to name the file in messages.
 * @throws {RoutesFileError}
 */
export function parseRoutesFile(text: string, file: string): readonly RouteRule[] {
  const at = (offset: number) => lineOf(text, offset)
  const errors: ParseError[] = []
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false })
  const [first] = errors
  if (first) {
    const problem = printParseErrorCode(first.error)
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()
    throw new RoutesFileError(file, at(first.offset), `this is not JSON (${problem})`)
  }
  if (root?.type !== 'object')
    throw new RoutesFileError(file, at(root?.offset ?? 0), 'the file must hold one JSON object')
  const fields = properties(root, file, text, ['routes'], 'the file')
  const routes = fields.get('routes')
  if (routes === undefined) return []
  if (routes.type !== 'array') throw new RoutesFileError(file, at(routes.offset), '"routes" must be an array of rules')
  return (routes.children ?? []).map((node) => rule(node, file, text))
}

function rule(node: Node, file: string, text: string): RouteRule {
  const fail = (at: Node, problem: string): never => {
    throw new RoutesFileError(file, lineOf(text, at.offset), problem)
  }
  if (node.type !== 'object') return fail(node, 'each rule is an object, such as {"path": "/api/*"}')
  const fields = properties(node, file, text, ruleKeys, 'a rule')
  const method = fields.get('method')
  const path = fields.get('path')
  const auth = fields.get('auth')
  const scopes = fields.get('scopes')
  if (path === undefined) return fail(node, 'a rule needs a "path", such as "/api/*"')
  if (path.type !== 'string') return fail(path, '"path" must be a string')
  const checked = rulePattern(path.value as string)
  if ('problem' in checked) return fail(path, `"path" ${JSON.stringify(path.value)}: ${checked.problem}`)
  const methodName = method === undefined ? '*' : (method.value as unknown)
  if (typeof methodName !== 'string' || (methodName !== '*' && !token.test(methodName))) {
    return fail(method ?? node, '"method" must be an HTTP method name, such as "GET", or "*" for any')
  }
  const standard = standardMethods.find((name) => name === methodName.toUpperCase())
  if (standard !== undefined && standard !== methodName) {
    return fail(
      method ?? node,
      `"method" ${JSON.stringify(methodName)}: methods are case-sensitive; write "${standard}"`,
    )
  }
  const authKind = auth === undefined ? 'required' : auth.value
  if (authKind !== 'required' && authKind !== 'none') return fail(auth ?? node, '"auth" must be "required" or "none"')
  if (authKind === 'none') {
    if (scopes !== undefined) return fail(scopes, '"scopes" asks for credentials, which "auth": "none" does not')
    return { method: methodName, path: checked.pattern, auth: { kind: 'none' } }
  }
  return { method: methodName, path: checked.pattern, auth: required(scopes, fail) }
}

function required(scopes: Node | undefined, fail: (at: Node, problem: string) => never): RouteAuth {
  if (scopes === undefined) return { kind: 'required', scopes: [] }
  if (scopes.type !== 'array') return fail(scopes, '"scopes" must be an array of scope names, such as ["write"]')
  const names = (scopes.children ?? []).map((item) =>
    item.type === 'string' && scopeToken.test(item.value as string)
      ? (item.value as string)
      : fail(item, 'each scope is a string of printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)'),
  )
  return { kind: 'required', scopes: [...new Set(names)] }
}

/** An object node's properties by name; an unknown or repeated key is refused. */
function properties(node: Node, file: string, text: string, known: readonly string[], what: string): Map<string, Node> {
  const fields = new Map<string, Node>()
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? []
    if (key === undefined || value === undefined) continue
    const name = key.value as string
    const line = lineOf(text, key.offset)
    if (!known.includes(name)) {
      const keys = known.map((candidate) => `"${candidate}"`).join(', ')
      throw new RoutesFileError(file, line, `unknown key ${JSON.stringify(name)} in ${what}; the keys are ${keys}`)
    }
    if (fields.has(name)) throw new RoutesFileError(file, line, `${JSON.stringify(name)} is given twice in ${what}`)
    fields.set(name, value)
  }
  return fields
}

function lineOf(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}
