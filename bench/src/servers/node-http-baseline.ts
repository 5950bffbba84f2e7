// The no-auth node:http baseline, against which the Fetch adapter scenarios show the framework's share.
import { text } from 'node:stream/consumers'
import { helloBody, listen } from './listen.js'

const hello = JSON.stringify(helloBody)

listen((req, res) => {
  if (req.method === 'POST') {
    text(req).then((body) => {
      const form = new URLSearchParams(body)
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' })
      res.end(
        JSON.stringify({
          access_token: 'x',
          token_type: 'Bearer',
          expires_in: 3600,
          grant_type: form.get('grant_type'),
        }),
      )
    })
    return
  }
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(hello)
})
