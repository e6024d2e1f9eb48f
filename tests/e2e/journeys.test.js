// The acceptance journeys of the web UI, as a person would do them in a browser.
// scripts/e2e.sh starts the server with one pending proposal (e2e-gp-A86027-2024: NHS England
// also delegates GP services for practice A86027 to NHS Humber and North Yorkshire ICB from
// 2024-04-01) and gives the tokens of a viewer, an editor and an approver.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, signIn, checkA11y, screenshot, TOKENS } from './lib.js'

const PRACTICE = 'A86027'
const PRACTICE_NAME = 'Newcastle Medical Centre'
const HOLDER = 'NHS North East and North Cumbria Integrated Care Board'
const NEW_HOLDER = 'NHS Humber and North Yorkshire Integrated Care Board'

let browser
before(async () => { browser = await launch() })
after(async () => { await browser?.close() })

async function askWhoCommissionsGpServices (page, on) {
  await page.goto(`/ui/practices/${PRACTICE}`)
  await page.getByLabel('Service').selectOption('commissioning.primary-care.medical')
  await page.getByLabel('On', { exact: true }).fill(on)
  await page.getByRole('button', { name: 'Ask who commissions it' }).click()
  await page.getByRole('heading', { level: 1, name: /Who holds .* for GP practice A86027/ }).waitFor()
}

test('a user finds a GP practice, asks who commissions its GP services on a date, and follows the proof chain to the instrument', async () => {
  const { context, page } = await newPage(browser)
  await page.goto('/ui/')
  await screenshot(page, 'home')
  await page.getByLabel('Search for a GP practice, body, place or instrument').fill(PRACTICE_NAME)
  await page.getByRole('button', { name: 'Search' }).click()
  await page.getByRole('heading', { name: /results for/ }).waitFor()
  await screenshot(page, 'search')
  await page.getByRole('link', { name: `${PRACTICE_NAME} (${PRACTICE})` }).click()
  await page.getByRole('heading', { level: 1, name: `${PRACTICE_NAME} (${PRACTICE})` }).waitFor()
  await screenshot(page, 'practice')

  await page.getByLabel('Service').selectOption('commissioning.primary-care.medical')
  await page.getByLabel('On', { exact: true }).fill('2023-06-01')
  await page.getByRole('button', { name: 'Ask who commissions it' }).click()
  const h1 = page.getByRole('heading', { level: 1 })
  assert.match(await h1.innerText(), /Who holds .* for GP practice A86027 on 1 June 2023/)
  assert.equal(await page.getByText('1 body holds it.').count(), 1)
  assert.equal(await page.getByRole('heading', { level: 2, name: `${HOLDER} (QHM)` }).count(), 1)
  // The proof: statute first, then NHS England's delegation to every ICB; each step a link.
  // (NHS England's own sections, for the parts of GP services it kept, have their own.)
  const steps = page.locator('section', { has: page.getByRole('heading', { name: `${HOLDER} (QHM)` }) }).locator('ol.vires-proof > li > a')
  assert.deepEqual(await steps.allInnerTexts(), [
    'Health and Social Care Act 2012: NHS England commissions primary care services',
    'Primary medical services delegated to every ICB'
  ])
  // The delegation chain is drawn as an accessible SVG whose boxes are links too.
  const chain = page.getByRole('group', { name: `Delegation chain for ${HOLDER}` })
  assert.equal(await chain.count(), 1)
  assert.equal(await chain.locator('a').count(), 3)
  await screenshot(page, 'who-holds-this')

  await steps.nth(1).click()
  await page.getByRole('heading', { level: 1, name: 'Primary medical services delegated to every ICB' }).waitFor()
  assert.match(page.url(), /\/ui\/instruments\/nhse-icb-primary-medical-2022$/)
  assert.equal(await page.getByText('NHS Act 2006 s.65Z5 (inserted by the Health and Care Act 2022)').first().count(), 1)
  await page.getByRole('heading', { name: 'Validity' }).waitFor()
  await screenshot(page, 'instrument')

  // And up the chain, to the statute it rests on.
  await page.goBack()
  await steps.nth(0).click()
  await page.getByRole('heading', { level: 1, name: /NHS England commissions primary care services/ }).waitFor()
  await context.close()
})

test('the answer can be downloaded as JSON and CSV from the same address', async () => {
  const { context, page } = await newPage(browser)
  await askWhoCommissionsGpServices(page, '2023-06-01')
  const jsonHref = await page.getByRole('link', { name: 'Download as JSON' }).getAttribute('href')
  const csvHref = await page.getByRole('link', { name: 'Download as CSV (spreadsheet)' }).getAttribute('href')
  const json = await page.request.get(jsonHref)
  assert.equal(json.status(), 200)
  const body = await json.json()
  // The ICB holds GP services; NHS England holds the parts it kept (performers list,
  // complaints until 2023-07-01, GP premises capital), each named.
  const whole = body.data.holders.filter(h => h.function === 'commissioning.primary-care.medical')
  assert.equal(whole.length, 1)
  assert.equal(whole[0].body, 'QHM')
  assert.deepEqual(whole[0].proof.map(p => p.instrument), ['hsca-2012-nhse-primary-care', 'nhse-icb-primary-medical-2022'])
  assert.deepEqual(body.data.holders.filter(h => h.body === 'X24').map(h => h.function).sort(), [
    'commissioning.primary-care.medical.capital',
    'commissioning.primary-care.medical.complaints',
    'commissioning.primary-care.medical.performers'
  ])
  const csv = await page.request.get(csvHref)
  assert.match(csv.headers()['content-type'], /^text\/csv/)
  const lines = (await csv.text()).trim().split('\n')
  assert.equal(lines[0], 'body,name,role,accountable,purposes,coverage,from,until,proof,function')
  assert.match(lines[1], /^QHM,/)
  await context.close()
})

test('a viewer cannot approve a proposal', async () => {
  const { context, page } = await newPage(browser)
  await signIn(page, TOKENS.viewer)
  const resp = await page.goto('/ui/proposals/1')
  assert.equal(resp.status(), 403)
  await page.getByRole('heading', { level: 1, name: 'You do not have permission to do this' }).waitFor()
  assert.equal(await page.getByRole('button', { name: 'Approve and publish' }).count(), 0)
  await screenshot(page, 'viewer-forbidden')
  // Even a hand-made form post with the viewer's own anti-forgery token is refused.
  const csrf = await page.locator('form[action="/ui/logout"] input[name=csrf]').getAttribute('value')
  const post = await page.request.post('/ui/proposals/1/approve', { form: { csrf }, maxRedirects: 0 })
  assert.equal(post.status(), 403)
  assert.match(await post.text(), /You do not have permission to do this/)
  await context.close()

  // The proposal is still waiting, and the answer has not changed.
  const other = await newPage(browser)
  await askWhoCommissionsGpServices(other.page, '2024-06-01')
  assert.equal(await other.page.getByText('1 body holds it.').count(), 1)
  await other.context.close()
})

test('a form posted without the session anti-forgery token changes nothing', async () => {
  const { context, page } = await newPage(browser)
  await signIn(page, TOKENS.approver)
  const post = await page.request.post('/ui/proposals/1/approve', { form: { csrf: 'forged' }, maxRedirects: 0 })
  assert.equal(post.status(), 403)
  assert.match(await post.text(), /The form has expired/)
  await page.goto('/ui/proposals/1')
  await page.getByText('Waiting for approval').first().waitFor()
  await context.close()
})

test('an approver approves a proposal and sees the answer change', async () => {
  const { context, page } = await newPage(browser)
  await askWhoCommissionsGpServices(page, '2024-06-01')
  assert.equal(await page.getByText('1 body holds it.').count(), 1)
  assert.equal(await page.getByRole('heading', { level: 2, name: `${NEW_HOLDER} (QOQ)` }).count(), 0)

  await signIn(page, TOKENS.approver)
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Proposals' }).click()
  await page.getByRole('heading', { level: 1, name: 'Proposals' }).waitFor()
  await screenshot(page, 'proposals')
  await page.getByRole('link', { name: 'Proposal 1' }).click()
  await page.getByRole('heading', { level: 1, name: /Proposal 1: GP services for Newcastle Medical Centre/ }).waitFor()
  // What it would change, before deciding: QOQ gains GP services for the practice.
  const gained = page.locator('table', { has: page.locator('caption', { hasText: 'Holdings gained' }) })
  assert.match(await gained.innerText(), /QOQ/)
  await screenshot(page, 'proposal')

  await page.getByLabel('Reason for your decision').fill('Matches the signed delegation agreement')
  await page.getByRole('button', { name: 'Approve and publish' }).click()
  await page.getByText('The proposal was approved and published.').waitFor()
  await page.getByText('Approved and published').first().waitFor()

  await askWhoCommissionsGpServices(page, '2024-06-01')
  assert.equal(await page.getByText('2 bodies hold it.').count(), 1)
  assert.equal(await page.getByRole('heading', { level: 2, name: `${NEW_HOLDER} (QOQ)` }).count(), 1)
  const steps = page.locator('section', { has: page.getByRole('heading', { name: `${NEW_HOLDER} (QOQ)` }) }).locator('ol.vires-proof > li > a')
  assert.deepEqual(await steps.allInnerTexts(), [
    'Health and Social Care Act 2012: NHS England commissions primary care services',
    'GP services for Newcastle Medical Centre also delegated to Humber and North Yorkshire ICB'
  ])
  // Before the new delegation starts, the answer is as it was.
  await askWhoCommissionsGpServices(page, '2024-03-31')
  assert.equal(await page.getByText('1 body holds it.').count(), 1)

  // A decided proposal cannot be approved twice.
  await page.goto('/ui/proposals/1')
  assert.equal(await page.getByRole('button', { name: 'Approve and publish' }).count(), 0)
  await context.close()
})

test('pages work without JavaScript', async () => {
  const { context, page } = await newPage(browser, { javaScriptEnabled: false })
  await page.goto('/ui/who')
  await page.getByLabel('Function').selectOption('commissioning.primary-care.medical')
  await page.getByLabel('Where').selectOption('practice')
  await page.getByLabel('Code of the practice, body or area').fill(PRACTICE)
  await page.getByLabel('On', { exact: true }).fill('2023-06-01')
  await page.getByRole('button', { name: 'Ask who holds it' }).click()
  await page.getByRole('heading', { level: 2, name: `${HOLDER} (QHM)` }).waitFor()
  await signIn(page, TOKENS.viewer)
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByText('You have signed out.').waitFor()
  await context.close()
})

test('mistakes in a form are shown with the field, in plain English', async () => {
  const { context, page } = await newPage(browser)
  const resp = await page.goto('/ui/who?function=commissioning.primary-care.medical&place_type=practice&place=&on=2023-13-45')
  assert.equal(resp.status(), 400)
  const summary = page.getByRole('alert')
  assert.match(await summary.innerText(), /There is a problem/)
  assert.match(await summary.innerText(), /Enter the code of the GP practice/)
  assert.match(await summary.innerText(), /must be a real date/)
  await summary.getByRole('link', { name: /must be a real date/ }).click()
  await checkA11y(page, 'form errors')
  await screenshot(page, 'form-error')

  const unknown = await page.goto('/ui/who?function=commissioning.primary-care.medical&place_type=practice&place=ZZZ999&on=2023-06-01')
  assert.equal(unknown.status(), 400)
  // An unknown practice is said beside the field, with what was typed kept.
  assert.match(await page.getByRole('alert').innerText(), /No GP practice has the code “ZZZ999”/)
  assert.equal(await page.locator('#place').inputValue(), 'ZZZ999')
  const missing = await page.goto('/ui/bodies/NOPE')
  assert.equal(missing.status(), 404)
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor()
  await context.close()
})
