import type { ServerResponse } from 'node:http'
import type { HttpAnswer } from '@latchkey/verifier'
import { notReady } from './gateway-answers.js'

/** Writes `answer` as it is, once it settles; a promise that rejects (none should) fails closed, 503. */
export function writeAnswer(res: ServerResponse, answer: HttpAnswer | Promise<HttpAnswer>): void {
  if (answer instanceof Promise) {
    answer.then(
      (settled) => writeAnswer(res, settled),
      () => writeAnswer(res, notReady()),
    )
    return
  }
  res.writeHead(answer.status, answer.headers)
  res.end(answer.body)
}
