import { authorizationValues, splitJoined } from '../request/authorization-header.js'
import { checkFormHeaders, parseFormBody, readFormBody } from '../token-endpoint/form-body.js'
import type { EndpointInput } from '../verifier.js'

/**
 * What an OAuth endpoint that authenticates its client (the token and revocation endpoints) reads of
 * a request, whichever form it came in. Internal.
 */
export interface ClientRequestParts {
  readonly method: string
  readonly url: string
  readonly authorization: readonly string[]
  readForm(): Promise<Map<string, string>> | Map<string, string>
}

/** What such an endpoint reads, from a Web request or from an adapter's parts. */
export function clientRequestParts(input: Request | EndpointInput): ClientRequestParts {
  if (input instanceof Request) {
    return {
      method: input.method,
      url: input.url,
      authorization: authorizationValues(input),
      readForm: () => readFormBody(input),
    }
  }
  return {
    method: input.method,
    url: input.url,
    // The same lines a Web request would show, so that every adapter gives the same answer.
    authorization: input.authorization.flatMap(splitJoined),
    readForm: () => {
      checkFormHeaders(input.contentType, input.contentLength)
      return parseFormBody(input.body)
    },
  }
}
