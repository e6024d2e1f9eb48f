// Shared helpers for the browser tests: Debian's Chromium through playwright-core (no browser
// download), sign-in, axe-core accessibility checks and screenshots.
import { chromium } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'
import assert from 'node:assert/strict'
import path from 'node:path'

export const BASE = process.env.VIRES_URL ?? 'http://127.0.0.1:8080'
/** The local OpenID Connect provider scripts/e2e.sh starts (tests/e2e/oidc-provider.js). */
export const ISSUER = process.env.OIDC_ISSUER
export const TOKENS = {
  viewer: process.env.VIRES_VIEWER_TOKEN,
  editor: process.env.VIRES_EDITOR_TOKEN,
  approver: process.env.VIRES_APPROVER_TOKEN
}
const SHOTS = process.env.SCREENSHOTS

export async function launch () {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'
    ]
  })
}

/** A fresh browser context (its own cookies) and page. */
export async function newPage (browser, options = {}) {
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 }, ...options })
  // The pages must make no request outside this server.
  await context.route('**/*', route => {
    const url = route.request().url()
    if (url.startsWith(BASE) || url.startsWith('data:')) return route.continue()
    // The organisation's sign-in service: the only other site a page may send people to.
    if (ISSUER && url.startsWith(ISSUER)) return route.continue()
    // The test provider's own sign-in page asks for a web font: not a vires page, so its
    // requests are refused here rather than failing the test.
    const from = route.request().frame()?.url() ?? ''
    if (ISSUER && from.startsWith(ISSUER)) return route.abort()
    throw new Error(`the page asked for an external resource: ${url}`)
  })
  const page = await context.newPage()
  return { context, page }
}

export async function signIn (page, token) {
  assert.ok(token, 'a token for this role must be given in the environment (scripts/e2e.sh does)')
  await page.goto('/ui/login')
  await page.getByLabel('API token').fill(token)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
}

/**
 * Signs in through the organisation's OpenID Connect provider as `login` (one of the people in
 * tests/e2e/oidc-provider.js: ann is an approver, eve an editor, vic a viewer, ada an admin),
 * and waits until vires shows them signed in.
 */
export async function signInWithOrganisation (page, login) {
  assert.ok(ISSUER, 'OIDC_ISSUER must be given in the environment (scripts/e2e.sh does)')
  await page.goto('/ui/login')
  await page.getByRole('button', { name: 'Sign in with your organisation account' }).click()
  await page.waitForURL(url => url.href.startsWith(ISSUER), { waitUntil: 'commit' })
  await page.locator('input[name="login"]').fill(login)
  await page.locator('input[name="password"]').fill('any password: the test provider accepts any')
  await page.locator('button[type="submit"]').click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
}

/** Signs out (the people of the OpenID Connect provider are shared by the test files). */
export async function signOut (page) {
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByText('You have signed out.').waitFor()
}

/**
 * Runs axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) on the page as it is, and fails on
 * any moderate, serious or critical violation, naming each. Minor violations and the checks
 * axe could not decide ("incomplete", for a person to review) are printed, not failed.
 */
export async function checkA11y (page, name) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze()
  const describe = v => `${v.id} (${v.impact ?? 'unknown impact'}): ${v.help}\n    ${v.nodes.map(n => n.target.join(' ')).slice(0, 5).join('\n    ')}`
  const failing = ['moderate', 'serious', 'critical']
  const bad = results.violations.filter(v => failing.includes(v.impact))
  const minor = results.violations.filter(v => !failing.includes(v.impact))
  for (const v of minor) console.log(`axe, minor, on ${name}: ${describe(v)}`)
  for (const v of results.incomplete) console.log(`axe, to review by hand, on ${name}: ${describe(v)}`)
  assert.equal(bad.length, 0, `accessibility violations on ${name} (${page.url()}):\n  ${bad.map(describe).join('\n  ')}`)
  return results
}

/**
 * Axe on a page opened with JavaScript off, where axe cannot run: the page's HTML as it is,
 * without its scripts, is put into a page of this server with JavaScript on (so its styles
 * load as they did) and checked there, as checkA11y does; `shot` names a screenshot of it
 * (screenshot() cannot measure a page without scripts either).
 */
export async function checkA11yWithoutScripts (page, name, { shot } = {}) {
  const html = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '')
  const browser = page.context().browser()
  const copy = await newPage(browser)
  try {
    await copy.page.goto('/ui/login')
    await copy.page.setContent(html, { waitUntil: 'load' })
    const results = await checkA11y(copy.page, `${name} (JavaScript off)`)
    if (shot) await screenshot(copy.page, shot)
    return results
  } finally {
    await copy.context.close()
  }
}

/**
 * Saves the page into $SCREENSHOTS, at most 2400 pixels of it (long pages stay small).
 * scripts/e2e.sh points it at a temporary directory; scripts/screenshots.sh at docs/screenshots.
 */
export async function screenshot (page, name) {
  if (!SHOTS) return
  const height = await page.evaluate(() => document.documentElement.scrollHeight)
  const width = page.viewportSize()?.width ?? 1280
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, clip: { x: 0, y: 0, width, height: Math.min(height, 2400) } })
}
