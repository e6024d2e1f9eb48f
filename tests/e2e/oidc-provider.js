// A real OpenID Connect provider for the tests, standing in for an organisation's Microsoft
// Entra ID tenant: node-oidc-provider (the npm package `oidc-provider`, a certified
// implementation), listening on 127.0.0.1 only. It speaks the real protocol: discovery,
// signed ID tokens from its own keys, the authorisation code flow with PKCE required.
// Its sign-in page is the package's development form, which accepts any password; the
// people below get the `roles` claim that Entra's app roles would give them.
//
//   OIDC_PORT=PORT OIDC_REDIRECT_URI=http://127.0.0.1:VIRES/ui/login/oidc/callback \
//     OIDC_CLIENT_SECRET=... node tests/e2e/oidc-provider.js
//
// Prints `oidc-provider: ISSUER` when it is listening.
import Provider from 'oidc-provider'
import crypto from 'node:crypto'

/** Who can sign in, and the app roles their organisation gave them (login name: roles). */
export const PEOPLE = {
  ann: ['vires-approver'],
  // The company secretary of the drafting journey: an approver too, so that four eyes (not
  // the role) is what stops her approving her own proposal.
  bea: ['vires-approver'],
  eve: ['vires-editor'],
  vic: ['vires-viewer'],
  ada: ['vires-admin'],
  // Signs in at the provider but has no vires role: vires refuses them.
  nia: []
}

const port = Number(process.env.OIDC_PORT)
const redirect = process.env.OIDC_REDIRECT_URI
const secret = process.env.OIDC_CLIENT_SECRET
if (!port || !redirect || !secret) {
  console.error('oidc-provider: set OIDC_PORT, OIDC_REDIRECT_URI and OIDC_CLIENT_SECRET')
  process.exit(2)
}
// `localhost` rather than 127.0.0.1 in the issuer: to the browser the provider is then
// another site than vires, as a real issuer is (SameSite rules apply as in production).
const host = process.env.OIDC_HOST ?? 'localhost'
const issuer = `http://${host}:${port}`

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'vires',
    client_secret: secret,
    redirect_uris: [redirect],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic'
  }],
  // A sign-in without PKCE is refused, so the tests show vires sends it.
  pkce: { required: () => true },
  // The roles go in the ID token, as Entra puts app roles there.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'roles'],
    email: ['email']
  },
  async findAccount (ctx, id) {
    const login = String(id).toLowerCase()
    return {
      accountId: login,
      async claims () {
        return {
          sub: `subject-${login}`,
          name: login,
          preferred_username: `${login}@example.nhs.uk`,
          email: `${login}@example.nhs.uk`,
          roles: PEOPLE[login] ?? []
        }
      }
    }
  },
  // The organisation has consented for its people (as an Entra admin does for an app):
  // no consent page after signing in.
  async loadExistingGrant (ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId)
    if (grantId) return ctx.oidc.provider.Grant.find(grantId)
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId })
    grant.addOIDCScope('openid profile email')
    grant.addOIDCClaims(['preferred_username', 'name', 'roles', 'email'])
    await grant.save()
    return grant
  },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  features: { devInteractions: { enabled: true } },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 }
})

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider: ${issuer}`)
})
const stop = () => server.close(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
