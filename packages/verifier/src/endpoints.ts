import type { AuthorizationServerMetadata } from './discovery/metadata.js'
import { LatchkeyError } from './errors.js'
import { documentAnswer, errorAnswer } from './http/answers.js'
import type { HttpAnswer } from './http/http-answer.js'
import type { JSONWebKeySet } from './signing-keys/signing-key-ring.js'
import type { TokenEndpoint } from './token-endpoint/token-endpoint.js'
import type { ConnectionInfo, EndpointInput, VerifierPaths } from './verifier.js'

/** What {@link Endpoints} serve. */
export interface EndpointParts {
  readonly paths: VerifierPaths
  readonly token: TokenEndpoint
  readonly jwks: () => Promise<JSONWebKeySet>
  readonly metadata: AuthorizationServerMetadata
  readonly realm: string
}

/** The verifier's own endpoints: the token endpoint, the JWKS and the RFC 8414 metadata. */
export class Endpoints {
  readonly #parts: EndpointParts

  constructor(parts: EndpointParts) {
    this.#parts = parts
  }

  /** The answer to a request to one of the paths, else `undefined`. Never rejects. */
  async answer(input: Request | EndpointInput, connection?: ConnectionInfo): Promise<HttpAnswer | undefined> {
    const { paths, token, jwks, metadata, realm } = this.#parts
    const { pathname } = new URL(input.url, 'http://localhost')
    if (pathname === paths.token) return token.answer(input, connection)
    if (pathname !== paths.jwks && pathname !== paths.metadata) return undefined
    if (input.method !== 'GET' && input.method !== 'HEAD') {
      const error = new LatchkeyError('ERR_METHOD_NOT_ALLOWED', 'This endpoint accepts only GET and HEAD.', {
        allow: ['GET', 'HEAD'],
      })
      return errorAnswer(error, 'resource', realm)
    }
    try {
      return documentAnswer(pathname === paths.jwks ? await jwks() : metadata)
    } catch (error) {
      return errorAnswer(error, 'resource', realm)
    }
  }
}
