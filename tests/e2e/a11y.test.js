// axe-core on every page of the web UI (WCAG 2.2 AA tags): no moderate, serious or critical
// violation anywhere (minor ones printed). Also screenshots the main pages (scripts/e2e.sh:
// to a temporary directory; scripts/screenshots.sh: into docs/screenshots/).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, signIn, checkA11y, screenshot, TOKENS } from './lib.js'

let browser
before(async () => { browser = await launch() })
after(async () => { await browser?.close() })

const who = (f, type, place, on) => `/ui/who?${new URLSearchParams({ function: f, place_type: type, place, on })}`

// [name, address, expected status, screenshot name or null]
const PUBLIC_PAGES = [
  ['home', '/ui/', 200, null],
  ['search form', '/ui/search', 200, null],
  ['search results', '/ui/search?q=newcastle', 200, null],
  ['who form', '/ui/who', 200, null],
  ['who answer (practice)', who('commissioning.primary-care.medical', 'practice', 'A86027', '2023-06-01'), 200, null],
  ['who answer (coronavirus direction, two holders)', who('commissioning.secondary-care', 'practice', 'A86027', '2020-06-01'), 200, 'who-two-holders'],
  ['who answer (England)', who('commissioning.specialised', 'england', '', '2019-01-01'), 200, null],
  ['timeline', '/ui/timeline?function=commissioning.secondary-care&place_type=practice&place=A86027', 200, 'timeline'],
  ['diff', '/ui/diff?from=2022-06-30&to=2022-07-01', 200, 'diff'],
  ['diff form', '/ui/diff', 200, null],
  ['analyses', '/ui/analyses?function=commissioning.primary-care.medical&on=2020-12-01&days=180', 200, 'analyses'],
  ['body (ICB)', '/ui/bodies/QHM', 200, 'body'],
  ['body (CCG, in the past)', '/ui/bodies/13T?on=2020-01-01', 200, null],
  ['practice', '/ui/practices/A86027', 200, null],
  ['functions', '/ui/functions', 200, null],
  ['function', '/ui/functions/commissioning.primary-care.medical', 200, 'function'],
  ['instrument', '/ui/instruments/nhse-icb-primary-medical-2022', 200, null],
  ['instrument (amendment)', '/ui/instruments/covid-ccg-functions-2020', 200, null],
  ['procurement form', '/ui/procurement', 200, null],
  ['procurement answer', '/ui/procurement?' + new URLSearchParams({
    commissioners: 'QF7', buying: 'health-care-service', function: 'commissioning.secondary-care',
    estimated_value: '2400000', existing_value: '2200000', procurement_began: '2024-01-02', start: '2024-01-02', term_months: '36',
    current_provider: 'RP5', provider_satisfactory: 'yes'
  }), 200, 'procurement'],
  ['procurement with mistakes', '/ui/procurement?commissioners=&start=2024-01-02', 400, null],
  ['conflicts form', '/ui/conflicts', 200, null],
  ['sign in', '/ui/login', 200, 'sign-in'],
  ['not found', '/ui/no-such-page', 404, 'not-found'],
  ['proposals, signed out', '/ui/proposals', 401, null]
]

test('every public page has no moderate, serious or critical accessibility violation', async () => {
  const { context, page } = await newPage(browser)
  for (const [name, url, status, shot] of PUBLIC_PAGES) {
    const resp = await page.goto(url)
    assert.equal(resp.status(), status, `${name}: ${url} answered ${resp.status()}`)
    await checkA11y(page, name)
    if (shot) await screenshot(page, shot)
  }
  await context.close()
})

test('the amended coronavirus direction links to its amendment and back', async () => {
  const { context, page } = await newPage(browser)
  await page.goto('/ui/instruments/covid-ccg-functions-2020')
  const deps = page.locator('table', { has: page.locator('caption', { hasText: 'Instruments that depend on it' }) })
  assert.match(await deps.innerText(), /amends or revokes it/)
  await context.close()
})

test('the conflicts check of the example register and decision is accessible', async () => {
  const { context, page } = await newPage(browser)
  await page.goto('/ui/conflicts')
  await page.getByRole('link', { name: 'Fill the form with an example register and decision' }).click()
  await page.getByRole('button', { name: 'Check', exact: true }).click()
  await page.getByRole('heading', { level: 2, name: /^Decision / }).waitFor()
  assert.match(await page.locator('main').innerText(), /C00\d/)
  await checkA11y(page, 'conflicts result')
  await screenshot(page, 'conflicts')
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Check and download CSV' }).first().click()
  ])
  assert.match(download.suggestedFilename(), /\.csv$/)
  await context.close()
})

test('signed-in pages have no moderate, serious or critical accessibility violation', async () => {
  const { context, page } = await newPage(browser)
  await signIn(page, TOKENS.approver)
  for (const [name, url] of [['proposals', '/ui/proposals'], ['proposal', '/ui/proposals/1'], ['home, signed in', '/ui/']]) {
    const resp = await page.goto(url)
    assert.equal(resp.status(), 200, `${name}: ${url} answered ${resp.status()}`)
    await checkA11y(page, name)
  }
  // Rejecting without a reason is a form error, shown on the page.
  await page.goto('/ui/proposals/1')
  await page.getByRole('button', { name: 'Reject' }).click()
  await page.getByRole('alert').getByText('Enter the reason for rejecting the proposal').waitFor()
  await checkA11y(page, 'proposal with a form error')
  await context.close()

  const viewer = await newPage(browser)
  await signIn(viewer.page, TOKENS.viewer)
  const resp = await viewer.page.goto('/ui/proposals/1')
  assert.equal(resp.status(), 403)
  await checkA11y(viewer.page, 'forbidden')
  await viewer.context.close()
})
