import { oauthRoutes } from '../../../lib/verifier'

export const dynamic = 'force-dynamic'
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = oauthRoutes
