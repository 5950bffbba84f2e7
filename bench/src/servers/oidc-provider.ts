// Anchor: oidc-provider's client_credentials grant issuing RFC 9068 JWT access tokens (EdDSA) for a
// resource indicator, mounted in Express as its docs show. The token-endpoint anchor for JWT issuance.
import express from 'express'
import { exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'
import { readFixture } from '../fixture.js'
import { listen } from './listen.js'
import { addNoAuthRoutes, noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
const signingKey = { ...(await exportJWK(privateKey)), kid: 'bench', alg: 'EdDSA', use: 'sig' }
const provider = new Provider(fixture.issuer, {
  clients: [
    {
      client_id: fixture.keyId,
      client_secret: fixture.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      // The provider checks this even for a client that never gets an ID token.
      id_token_signed_response_alg: 'EdDSA',
    },
  ],
  jwks: { keys: [signingKey] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => fixture.issuer,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'read',
        audience: fixture.issuer,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 3600,
        jwt: { sign: { alg: 'EdDSA' } },
      }),
    },
  },
})
// Errors are answered to the client; logging each one would measure the console instead.
provider.on('server_error', (_ctx, error) => console.error(error))

const app = express()
addNoAuthRoutes(app, noAuthPrefix)
app.use(provider.callback())
listen(app)
