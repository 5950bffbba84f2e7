import { describe, expect, it } from 'vitest'
import { parseRoutesFile } from './routes-file.js'

const parse = (text: string) => parseRoutesFile(text, 'routes.json')
const problem = (text: string): string => {
  try {
    parse(text)
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('the file was accepted')
}

describe('parseRoutesFile', () => {
  it("reads the issue's example, with the defaults filled in", () => {
    const text = `{"routes": [
      {"method": "GET", "path": "/public/*", "auth": "none"},
      {"method": "POST", "path": "/api/*", "scopes": ["write", "write"]},
      {"path": "/api/*"}
    ]}`
    expect(parse(text)).toEqual([
      { method: 'GET', path: '/public/*', auth: { kind: 'none' } },
      { method: 'POST', path: '/api/*', auth: { kind: 'required', scopes: ['write'] } },
      { method: '*', path: '/api/*', auth: { kind: 'required', scopes: [] } },
    ])
    expect(parse('{}')).toEqual([])
  })

  it.each([
    ['{"routes": [\n  {"path": "/a",}\n]}', 'routes.json:2: this is not JSON (property name expected)'],
    ['{"routes": [\n  // public\n  {"path": "/a"}]}', 'routes.json:2: this is not JSON (invalid comment token)'],
    ['', 'routes.json:1: this is not JSON (value expected)'],
    ['[]', 'routes.json:1: the file must hold one JSON object'],
    ['{\n"route": []}', 'routes.json:2: unknown key "route" in the file; the keys are "routes"'],
    ['{"routes": {}}', 'routes.json:1: "routes" must be an array of rules'],
    ['{"routes": [\n"/a"]}', 'routes.json:2: each rule is an object'],
    [
      '{"routes": [\n{"path": "/a",\n "scope": ["x"]}]}',
      'routes.json:3: unknown key "scope" in a rule; the keys are "method", "path", "auth", "scopes"',
    ],
    ['{"routes": [{"path": "/a", "path": "/b"}]}', 'routes.json:1: "path" is given twice in a rule'],
    ['{"routes": [\n{"method": "GET"}]}', 'routes.json:2: a rule needs a "path"'],
    ['{"routes": [{"path": 7}]}', '"path" must be a string'],
    ['{"routes": [{"path": "/a//b"}]}', '"path" "/a//b": write it as "/a/b", as requests are compared'],
    ['{"routes": [{"path": "/a", "method": "get"}]}', 'methods are case-sensitive; write "GET"'],
    ['{"routes": [{"path": "/a", "method": "GET POST"}]}', '"method" must be an HTTP method name'],
    ['{"routes": [{"path": "/a", "auth": "optional"}]}', '"auth" must be "required" or "none"'],
    ['{"routes": [{"path": "/a", "auth": "none", "scopes": []}]}', '"auth": "none" does not'],
    ['{"routes": [{"path": "/a", "scopes": "write"}]}', '"scopes" must be an array of scope names'],
    ['{"routes": [{"path": "/a", "scopes": ["a b"]}]}', 'each scope is a string of printable ASCII'],
  ])('refuses %j with the line and what to write', (text, message) => {
    expect(problem(text)).toContain(message)
  })

  it('names the file as it was given, and carries the line', () => {
    try {
      parseRoutesFile('{\n\n"x": 1}', '/etc/latchkey/routes.json')
    } catch (error) {
      expect(error).toMatchObject({ name: 'RoutesFileError', code: 'ERR_ROUTES_FILE', line: 3 })
      expect((error as Error).message).toMatch(/^\/etc\/latchkey\/routes\.json:3: /)
    }
    expect.assertions(2)
  })
})
