// Signing in through the organisation's OpenID Connect provider (a real one, started by
// scripts/e2e.sh from tests/e2e/oidc-provider.js on 127.0.0.1), sessions, and the code flow's
// checks driven by hand over HTTP: state, PKCE and single-use codes.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, signIn, signInWithOrganisation, checkA11y, screenshot, BASE, ISSUER, TOKENS } from './lib.js'

let browser
before(async () => { browser = await launch() })
after(async () => { await browser?.close() })

test('a person signs in with their organisation account and gets the role their organisation gave them', async () => {
  const { context, page } = await newPage(browser)
  await page.goto('/ui/login')
  await checkA11y(page, 'sign-in page with the organisation option')
  await screenshot(page, 'sign-in')
  await page.getByRole('button', { name: 'Sign in with your organisation account' }).click()
  // At the organisation's sign-in page (another site), with PKCE, state and nonce asked for.
  await page.waitForURL(url => url.href.startsWith(ISSUER), { waitUntil: 'commit' })
  await page.locator('input[name="login"]').fill('ann')
  await page.locator('input[name="password"]').fill('any password: the test provider accepts any')
  await page.locator('button[type="submit"]').click()
  // Back at vires, signed in: the session cookie goes with the first page after the issuer.
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
  assert.equal(new URL(page.url()).pathname, '/ui/')
  assert.equal(await page.getByRole('link', { name: 'ann@example.nhs.uk (approver)' }).count(), 1)
  const who = await (await page.request.get('/auth/whoami')).json()
  assert.deepEqual(who, { user: 'ann@example.nhs.uk', role: 'approver', via: 'session' })

  // The sessions page lists the session, as an organisation sign-in.
  await page.getByRole('link', { name: 'ann@example.nhs.uk (approver)' }).click()
  await page.getByRole('heading', { level: 1, name: 'Your sessions' }).waitFor()
  assert.equal(await page.getByRole('cell', { name: 'organisation sign-in' }).count(), 1)
  await checkA11y(page, 'sessions')
  await screenshot(page, 'sessions')

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByText('You have signed out.').waitFor()
  const after = await (await page.request.get('/auth/whoami')).json()
  assert.equal(after.via, 'anonymous')
  await context.close()
})

test('a person whose organisation gave them no vires role is refused, and nothing is signed in', async () => {
  const { context, page } = await newPage(browser)
  await page.goto('/ui/login')
  await page.getByRole('button', { name: 'Sign in with your organisation account' }).click()
  await page.waitForURL(url => url.href.startsWith(ISSUER), { waitUntil: 'commit' })
  await page.locator('input[name="login"]').fill('nia')
  await page.locator('input[name="password"]').fill('x')
  await page.locator('button[type="submit"]').click()
  await page.getByRole('heading', { level: 1, name: 'Your account has no role in this service' }).waitFor()
  await checkA11y(page, 'organisation sign-in refused')
  const who = await (await page.request.get('/auth/whoami')).json()
  assert.equal(who.via, 'anonymous')
  await context.close()
})

test('a person ends one of their sessions from another, and an admin ends anyone\'s', async () => {
  const laptop = await newPage(browser)
  const phone = await newPage(browser)
  await signInWithOrganisation(laptop.page, 'eve')
  await signInWithOrganisation(phone.page, 'eve')
  await laptop.page.goto('/ui/sessions')
  const ends = laptop.page.getByRole('button', { name: /^End/ })
  assert.equal(await ends.count(), 2)
  // The row not marked "This session" is the phone's.
  const other = laptop.page.getByRole('row').filter({ hasNot: laptop.page.getByText('This session') }).getByRole('button', { name: /^End/ })
  await other.click()
  await laptop.page.getByText('The session was ended.').waitFor()
  const phoneWho = await (await phone.page.request.get('/auth/whoami')).json()
  assert.equal(phoneWho.via, 'anonymous')
  const laptopWho = await (await laptop.page.request.get('/auth/whoami')).json()
  assert.equal(laptopWho.user, 'eve@example.nhs.uk')

  // An admin (signed in with the organisation too) sees Eve's session and ends it.
  const admin = await newPage(browser)
  await signInWithOrganisation(admin.page, 'ada')
  await admin.page.goto('/ui/sessions')
  await admin.page.getByRole('heading', { name: 'Everyone\'s sessions' }).waitFor()
  await admin.page.getByRole('button', { name: /by eve@example\.nhs\.uk$/ }).click()
  await admin.page.getByText('The session was ended.').waitFor()
  const ended = await (await laptop.page.request.get('/auth/whoami')).json()
  assert.equal(ended.via, 'anonymous')
  for (const p of [laptop, phone, admin]) await p.context.close()
})

test('a session opened with an API token ends when the token is revoked', async () => {
  const { context, page } = await newPage(browser)
  // A token of its own, so revoking it touches no other test.
  const admin = await newPage(browser)
  await signInWithOrganisation(admin.page, 'ada')
  const csrf = await sessionCsrf(admin.page)
  const made = await admin.page.request.post('/admin/tokens', { headers: { 'x-csrf-token': csrf }, data: { user: 'vera', label: 'revoked in a test' } })
  assert.equal(made.status(), 201)
  const { token, info } = await made.json()
  await signIn(page, token)
  assert.equal((await (await page.request.get('/auth/whoami')).json()).user, 'vera')
  const revoked = await admin.page.request.delete(`/admin/tokens/${info.id}`, { headers: { 'x-csrf-token': csrf } })
  assert.equal(revoked.status(), 204)
  await page.goto('/ui/')
  assert.equal(await page.getByRole('link', { name: 'Sign in' }).count(), 1)
  assert.equal((await (await page.request.get('/auth/whoami')).json()).via, 'anonymous')
  await context.close()
  await admin.context.close()
})

/** The CSRF token of the page's session, from its sign-out form. */
async function sessionCsrf (page) {
  await page.goto('/ui/sessions')
  return page.locator('form[action="/ui/logout"] input[name="csrf"]').getAttribute('value')
}

// ---------------------------------------------------------------------------------------------
// The code flow by hand: an HTTP client with a cookie jar per site, no browser.

class Jar {
  constructor () { this.cookies = new Map() }
  take (resp) {
    for (const line of resp.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const i = pair.indexOf('=')
      const [name, value] = [pair.slice(0, i).trim(), pair.slice(i + 1)]
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  header () { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
}

async function get (jar, url) {
  const resp = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } })
  jar.take(resp)
  return resp
}

/** Starts a sign-in at vires and signs in at the provider; returns the callback address. */
async function codeFor (login) {
  const vires = new Jar()
  const idp = new Jar()
  const start = await get(vires, `${BASE}/ui/login/oidc?next=/ui/`)
  assert.equal(start.status, 303)
  const authorize = new URL(start.headers.get('location'))
  assert.ok(authorize.href.startsWith(ISSUER), authorize.href)
  let resp = await get(idp, authorize.href)
  for (let hops = 0; resp.status >= 300 && resp.status < 400 && hops < 5; hops++) {
    resp = await get(idp, new URL(resp.headers.get('location'), ISSUER).href)
  }
  const form = await resp.text()
  const action = form.match(/action="([^"]+)"/)[1]
  resp = await fetch(new URL(action, ISSUER), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: idp.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ prompt: 'login', login, password: 'x' })
  })
  idp.take(resp)
  for (let hops = 0; hops < 6; hops++) {
    const to = new URL(resp.headers.get('location'), ISSUER)
    if (to.href.startsWith(BASE)) return { authorize, callback: to, vires }
    resp = await get(idp, to.href)
  }
  throw new Error('the provider never sent the browser back to vires')
}

test('vires asks for the authorisation code flow with PKCE (S256), state and nonce', async () => {
  const { authorize } = await codeFor('vic')
  const q = authorize.searchParams
  assert.equal(q.get('response_type'), 'code')
  assert.equal(q.get('client_id'), 'vires')
  assert.equal(q.get('code_challenge_method'), 'S256')
  assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/)
  assert.ok(q.get('state')?.length >= 16 && q.get('nonce')?.length >= 16)
  assert.ok(q.get('scope').split(' ').includes('openid'))
  assert.equal(q.get('redirect_uri'), `${BASE}/ui/login/oidc/callback`)
})

test('the issuer\'s answer is refused without the flow cookie, with another state, or with a code used twice', async () => {
  // Without the cookie of the browser that started (a link sent to someone else).
  const a = await codeFor('vic')
  let resp = await fetch(a.callback, { redirect: 'manual' })
  assert.equal(resp.status, 400)
  assert.equal(resp.headers.getSetCookie().some(c => c.startsWith('vires_session=') && !/Max-Age=0/.test(c)), false)

  // With the cookie, but the state of another sign-in: refused before the code is used...
  const b = await codeFor('vic')
  const forged = new URL(b.callback)
  forged.searchParams.set('state', a.callback.searchParams.get('state'))
  resp = await fetch(forged, { redirect: 'manual', headers: { cookie: b.vires.header() } })
  assert.equal(resp.status, 400)

  // ...so the real answer still works, once: the session cookie is set and works.
  resp = await fetch(b.callback, { redirect: 'manual', headers: { cookie: b.vires.header() } })
  assert.equal(resp.status, 200, await resp.text())
  const session = resp.headers.getSetCookie().find(c => c.startsWith('vires_session='))
  assert.ok(session, 'no session cookie')
  assert.match(session, /HttpOnly/)
  assert.match(session, /SameSite=Strict/)
  const who = await (await fetch(`${BASE}/auth/whoami`, { headers: { cookie: session.split(';')[0] } })).json()
  assert.deepEqual(who, { user: 'vic@example.nhs.uk', role: 'viewer', via: 'session' })
  // The same code again (a replayed answer): the provider refuses it, and so does vires.
  resp = await fetch(b.callback, { redirect: 'manual', headers: { cookie: b.vires.header() } })
  assert.equal(resp.status, 401)
})

test('a flow cookie with another PKCE verifier cannot redeem the code', async () => {
  const c = await codeFor('vic')
  const [state, nonce, , next] = c.vires.cookies.get('vires_oidc').split('.')
  const wrongVerifier = 'A'.repeat(43)
  const cookie = `vires_oidc=${[state, nonce, wrongVerifier, next].join('.')}`
  const resp = await fetch(c.callback, { redirect: 'manual', headers: { cookie } })
  assert.equal(resp.status, 401)
  assert.match(await resp.text(), /did not confirm who you are/)
})
