// The company secretary's journey (JOURNEYS.md): draft, by form, a joint committee of NHS
// Greater Manchester ICB with its neighbour NHS Cheshire and Merseyside ICB under s.65Z5
// from 1 April 2027; see a bad date and a missing power next to their fields; fix them;
// preview what changes; propose with a reason; a colleague approves; the answer to "who"
// changes and the change log names both people. The secretary (bea) is an approver too, so
// the missing approve button and the refused forged approval are four eyes, not roles.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, signIn, checkA11y, screenshot, TOKENS } from './lib.js'

const SECRETARY = process.env.VIRES_SECRETARY_TOKEN
const WHO = '/ui/who?function=commissioning.secondary-care&place_type=body&place=QOP&on=2027-04-01'

let browser
before(async () => { browser = await launch() })
after(async () => { await browser?.close() })

async function fillDate (page, legend, day, month, year) {
  const group = page.getByRole('group', { name: legend })
  await group.getByLabel('Day').fill(day)
  await group.getByLabel('Month').fill(month)
  await group.getByLabel('Year').fill(year)
}

test('a company secretary drafts a joint committee, fixes its mistakes, previews and proposes it; a colleague approves it', async () => {
  const { context, page } = await newPage(browser)
  // Before: Cheshire and Merseyside ICB holds no secondary care in Greater Manchester.
  await page.goto(WHO)
  assert.equal(await page.getByRole('heading', { level: 2, name: /NHS Cheshire and Merseyside Integrated Care Board/ }).count(), 0)

  await signIn(page, SECRETARY)
  await page.getByRole('link', { name: /My work/ }).first().click()
  await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor()
  await page.getByRole('button', { name: 'Draft a change' }).click()
  await page.getByRole('heading', { level: 1, name: 'What are you drafting?' }).waitFor()
  await checkA11y(page, 'draft-new')
  await screenshot(page, 'draft-new')
  await page.getByLabel('Joint committee').check()
  await page.getByRole('button', { name: 'Start the draft' }).click()
  await page.getByRole('heading', { level: 1, name: 'Joint committee' }).waitFor()
  const draftUrl = page.url()

  // The form, with a date that does not exist and no legal basis chosen.
  await page.getByLabel('Title').fill('Greater Manchester and Cheshire and Merseyside joint committee for hospital and community services')
  await page.getByLabel('Who makes it').fill('BL6 5NW')
  await page.getByLabel('Members of the joint committee').fill('BL6 5NW, Cheshire and Merseyside Integrated Care Board')
  await page.getByLabel('Functions').fill('commissioning.secondary-care')
  await page.getByLabel('Lead body').fill('Greater Manchester Integrated Care Board')
  await fillDate(page, 'When it takes effect', '31', '4', '2027')
  await page.getByLabel('Source').fill('Joint committee terms of reference agreed by both boards, 3 December 2026 (journey test, not a real arrangement)')
  await page.getByRole('button', { name: 'Save and check' }).click()
  await page.getByRole('heading', { name: 'There is a problem' }).waitFor()
  const dateGroup = page.locator('.nhsuk-form-group--error', { has: page.getByRole('group', { name: 'When it takes effect' }) })
  assert.match(await dateGroup.innerText(), /The date it takes effect must be a real date/)
  const basisGroup = page.locator('.nhsuk-form-group--error', { has: page.getByLabel('Legal basis') })
  assert.match(await basisGroup.innerText(), /Select the power it is made under/)
  // What the searches found is shown: the postcode is a Bolton practice in Greater Manchester.
  assert.match(await page.locator('.vires-found').first().innerText(), /NHS Greater Manchester Integrated Care Board \(QOP\)/)
  await checkA11y(page, 'draft-errors')
  await screenshot(page, 'draft-errors')

  // Fix both; the basis lists only the powers an ICB may use for a joint committee then.
  await fillDate(page, 'When it takes effect', '1', '4', '2027')
  await page.getByRole('button', { name: 'Save and check' }).click()
  await page.getByRole('heading', { level: 1, name: 'Joint committee' }).waitFor()
  const options = await page.getByLabel('Legal basis').locator('option').allInnerTexts()
  assert.ok(options.some(o => /s\.65Z5/.test(o)), options.join('\n'))
  assert.ok(!options.some(o => /s\.13Z –/.test(o)), 'the CCG-era power is not offered in 2027')
  await page.getByLabel('Legal basis').selectOption('nhs-act-2006-s65Z5')
  await page.getByRole('button', { name: 'Save and check' }).click()
  await page.getByRole('heading', { name: 'Valid against the register' }).waitFor()
  await checkA11y(page, 'draft-valid')
  await screenshot(page, 'draft-valid')

  // The same draft as text.
  await page.getByRole('link', { name: 'See or paste the draft as .vires text' }).click()
  const text = await page.getByLabel('Instrument in .vires').inputValue()
  assert.match(text, /^joint-committee "Greater Manchester/)
  assert.match(text, /basis +"National Health Service Act 2006 s\.65Z5"/)
  assert.match(text, /to +QOP, QYG/)
  await checkA11y(page, 'draft-text')
  await screenshot(page, 'draft-text')

  // Preview: Cheshire and Merseyside gains secondary care in Greater Manchester's area.
  await page.goto(draftUrl)
  await page.getByRole('button', { name: 'Preview what it changes' }).click()
  await page.getByRole('heading', { level: 1, name: /^Preview:/ }).waitFor()
  const gained = page.locator('table', { has: page.locator('caption', { hasText: 'Holdings gained' }) })
  assert.match(await gained.innerText(), /QYG/)
  const practices = page.locator('table', { has: page.locator('caption', { hasText: 'GP practices in the areas affected' }) })
  assert.match(await practices.innerText(), /footprint\(QOP\)\s+\d{2,}/)
  assert.match(await page.locator('ol.vires-proof').first().innerText(), /Greater Manchester and Cheshire and Merseyside joint committee/)
  await checkA11y(page, 'draft-preview')
  await screenshot(page, 'draft-preview')

  // Propose with a reason.
  await page.getByRole('button', { name: 'Propose for approval' }).click()
  await page.getByRole('heading', { level: 1, name: 'Propose for approval' }).waitFor()
  await checkA11y(page, 'draft-propose')
  await page.getByLabel('Why is this change being made?').fill('Both boards agreed the joint committee on 3 December 2026')
  await page.getByRole('button', { name: 'Send for approval' }).click()
  await page.getByText('Your draft was sent for approval.').waitFor()
  const proposalUrl = new URL(page.url())
  const proposalPath = proposalUrl.pathname
  // The proposer sees the checks and the text, but no approve button; a forged approval is refused.
  await page.getByRole('heading', { name: 'Checks against the register' }).waitFor()
  assert.equal(await page.getByRole('button', { name: 'Approve and publish' }).count(), 0)
  await checkA11y(page, 'proposal-own')
  await screenshot(page, 'proposal-own')
  const csrf = await page.locator('form[action="/ui/logout"] input[name=csrf]').getAttribute('value')
  const forged = await page.request.post(`${proposalPath}/approve`, { form: { csrf, reason: 'mine' }, maxRedirects: 0 })
  assert.equal(forged.status(), 403)
  assert.match(await forged.text(), /A second person must decide/)
  await context.close()

  // A colleague signs in and approves it.
  const other = await newPage(browser)
  await signIn(other.page, TOKENS.approver)
  await other.page.getByRole('link', { name: /My work/ }).first().click()
  await other.page.getByRole('heading', { name: /Waiting for your decision/ }).waitFor()
  await checkA11y(other.page, 'my-work')
  await screenshot(other.page, 'my-work')
  await other.page.goto(proposalPath)
  assert.match(await other.page.locator('main').innerText(), /Proposed by\s+bea/)
  await other.page.getByLabel('Reason for your decision').fill('Checked against both boards\' minutes')
  await other.page.getByRole('button', { name: 'Approve and publish' }).click()
  await other.page.getByText('The proposal was approved and published.').waitFor()

  // The answer to "who" changes from 1 April 2027.
  await other.page.goto(WHO)
  await other.page.getByRole('heading', { level: 2, name: /NHS Cheshire and Merseyside Integrated Care Board/ }).waitFor()
  // The change log names both people as fields of the entry.
  const log = await (await other.page.request.get('/changes?limit=1000')).json()
  const entry = log.filter(e => e.change?.instrument?.kind === 'joint-committee').pop()
  assert.equal(entry.author, 'bea')
  assert.equal(entry.decision.by, 'alex')
  assert.equal(entry.decision.reason, 'Checked against both boards\' minutes')
  await other.context.close()
})

test('drafting works without JavaScript', async () => {
  const { context, page } = await newPage(browser, { javaScriptEnabled: false })
  await signIn(page, TOKENS.editor)
  await page.goto('/ui/drafts/new')
  await page.getByLabel('Revocation').check()
  await page.getByRole('button', { name: 'Start the draft' }).click()
  await page.getByRole('heading', { level: 1, name: 'Revocation' }).waitFor()
  await page.getByLabel('Title').fill('End of a test delegation')
  await page.getByLabel('Who makes it').fill('X24')
  await page.getByLabel('The instrument it changes').fill('e2e-gp-A86027-2024')
  await fillDate(page, 'When it takes effect', '1', '13', '2027')
  await page.getByRole('button', { name: 'Save and check' }).click()
  await page.getByRole('heading', { name: 'There is a problem' }).waitFor()
  assert.match(await page.locator('main').innerText(), /The date it takes effect must be a real date/)
  await page.getByRole('link', { name: 'See or paste the draft as .vires text' }).click()
  await page.getByRole('heading', { level: 1, name: 'The draft as .vires text' }).waitFor()
  await context.close()
})
