import type { ClientEndpoint } from './client-authentication/client-endpoint.js'
import type { AuthorizationServerMetadata } from './discovery/metadata.js'
import type { ProtectedResourceMetadata } from './discovery/protected-resource.js'
import { LatchkeyError } from './errors.js'
import { type Challenge, documentAnswer, errorAnswer } from './http/answers.js'
import type { HttpAnswer } from './http/http-answer.js'
import { requestPathname } from './request/request-pathname.js'
import type { JSONWebKeySet } from './signing-keys/signing-key-ring.js'
import type { ConnectionInfo, EndpointInput, VerifierPaths } from './verifier.js'

/** What {@link Endpoints} serve. */
export interface EndpointParts {
  readonly paths: VerifierPaths
  readonly token: ClientEndpoint
  readonly revocation: ClientEndpoint
  readonly jwks: () => Promise<JSONWebKeySet>
  readonly metadata: AuthorizationServerMetadata
  readonly protectedResource: ProtectedResourceMetadata | undefined
  readonly challenge: Challenge
}

/**
 * The verifier's own endpoints: the token and revocation endpoints, the JWKS, the RFC 8414 metadata
 * and, when configured, the RFC 9728 metadata.
 */
export class Endpoints {
  readonly #parts: EndpointParts

  constructor(parts: EndpointParts) {
    this.#parts = parts
  }

  /** The answer to a request to one of the paths, else `undefined`. Never rejects. */
  async answer(input: Request | EndpointInput, connection?: ConnectionInfo): Promise<HttpAnswer | undefined> {
    const { paths, token, revocation, jwks, metadata, protectedResource, challenge } = this.#parts
    const pathname = requestPathname(input.url)
    if (pathname === paths.token) return token.answer(input, connection)
    if (pathname === paths.revocation) return revocation.answer(input, connection)
    const document =
      pathname === paths.jwks
        ? jwks
        : pathname === paths.metadata
          ? () => metadata
          : protectedResource && pathname === paths.protectedResource
            ? () => protectedResource
            : undefined
    if (!document) return undefined
    if (input.method !== 'GET' && input.method !== 'HEAD') {
      const error = new LatchkeyError('ERR_METHOD_NOT_ALLOWED', 'This endpoint accepts only GET and HEAD.', {
        allow: ['GET', 'HEAD'],
      })
      return errorAnswer(error, 'resource', challenge)
    }
    try {
      return documentAnswer(await document())
    } catch (error) {
      return errorAnswer(error, 'resource', challenge)
    }
  }
}
