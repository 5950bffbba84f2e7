import { authorizationValues, splitJoined } from '../request/authorization-header.js'
import type { EndpointInput } from '../verifier.js'
import { checkFormHeaders, parseFormBody, readFormBody } from './form-body.js'
import type { TokenRequestParts } from './token-request.js'

/** What the token endpoint reads, from a Web request or from an adapter's parts. */
export function tokenRequestParts(input: Request | EndpointInput): TokenRequestParts {
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
