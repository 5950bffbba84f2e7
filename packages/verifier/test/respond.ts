import { type HttpAnswer, toResponse, type Verifier } from '../src/index.js'

/** The verifier's answer to `request` as a Web `Response`, for a request to one of its paths. */
export async function respond(verifier: Verifier, request: Request): Promise<Response> {
  return toResponse(expectAnswer(await verifier.answer(request)))
}

/** `answer`, which must be there: the request was to one of the verifier's paths. */
export function expectAnswer(answer: HttpAnswer | undefined): HttpAnswer {
  if (!answer) throw new Error('The verifier did not answer a request to one of its paths.')
  return answer
}

/** The verifier's answer to `request` as a Web `Response`, or `undefined` for a path not its own. */
export async function handle(verifier: Verifier, request: Request): Promise<Response | undefined> {
  const answer = await verifier.answer(request)
  return answer && toResponse(answer)
}
