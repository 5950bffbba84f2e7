import { withAuth } from '@latchkey/verifier/next'
import { json, logged, verifier } from '../../../lib/verifier'

export const dynamic = 'force-dynamic'

export const GET = logged(
  withAuth(verifier, (request, auth) =>
    json(request, auth, { message: 'Hello from a Latchkey-secured API.', keyId: auth.keyId, method: auth.method }),
  ),
)

export const POST = logged(
  withAuth(
    verifier,
    (request, auth) => json(request, auth, { message: 'Written.', keyId: auth.keyId, scopes: auth.scopes }),
    {
      scopes: ['write'],
    },
  ),
)
