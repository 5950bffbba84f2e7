// The no-auth node:http baseline, against which the Fetch adapter scenarios show the framework's share.
import { listen } from './listen.js'
import { noAuthListener } from './node-no-auth-listener.js'

listen(noAuthListener)
