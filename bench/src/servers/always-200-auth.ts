// The forward-auth floor: a decision endpoint that checks nothing and answers every request 200 with
// the identity headers `latchkey serve` answers the fixture's key with: what any auth_request that passes
// an identity to the backend costs before anything is checked. nginx asks it in `latchkey serve`'s place.
import { readFixture } from '../fixture.js'
import { floorAnswer } from '../forward-auth/floor-answer.js'
import { listen } from './listen.js'

const answer = floorAnswer(readFixture())

listen((_req, res) => {
  res.writeHead(200, answer)
  res.end()
})
