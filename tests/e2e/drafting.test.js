// The company secretary's journey (JOURNEYS.md): signed in through her organisation's
// OpenID Connect provider, she drafts, by form, a joint committee of NHS Greater Manchester
// ICB with its neighbour NHS Cheshire and Merseyside ICB under s.65Z5 of the NHS Act 2006
// (inserted by the Health and Care Act 2022) from 1 April 2027; sees a bad date and a
// missing power next to their fields; fixes them; previews what changes; proposes it with a
// reason; a colleague, signed in the same way, approves; the answer to "who" changes and the
// change log names both people. The secretary (bea) is an approver too, so the missing
// approve button and the refused forged approval are four eyes, not roles.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, signIn, signInWithOrganisation, signOut, checkA11y, checkA11yWithoutScripts, screenshot, TOKENS } from './lib.js'

const WHO = '/ui/who?function=commissioning.secondary-care&place_type=body&place=QOP&on=2027-04-01'
/** The people of tests/e2e/oidc-provider.js, as vires names them (their preferred_username). */
const BEA = 'bea@example.nhs.uk'
const ANN = 'ann@example.nhs.uk'

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

  await signInWithOrganisation(page, 'bea')
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
  // The neighbour is chosen from what the search suggests as she types (the page's script
  // asks GET /search); the suggestion puts its code in place of the words typed.
  const members = page.getByLabel('Members of the joint committee')
  await members.fill('BL6 5NW, ')
  await members.pressSequentially('Cheshire and Mersey')
  await page.getByRole('button', { name: /^NHS Cheshire and Merseyside Integrated Care Board \(QYG\)/ }).click()
  assert.equal(await members.inputValue(), 'BL6 5NW, QYG')
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
  await signOut(page)
  await context.close()

  // A colleague signs in and approves it.
  const other = await newPage(browser)
  await signInWithOrganisation(other.page, 'ann')
  await other.page.getByRole('link', { name: /My work/ }).first().click()
  await other.page.getByRole('heading', { name: /Waiting for your decision/ }).waitFor()
  await checkA11y(other.page, 'my-work')
  await screenshot(other.page, 'my-work')
  await other.page.goto(proposalPath)
  assert.match(await other.page.locator('main').innerText(), /Proposed by\s+bea@example\.nhs\.uk/)
  await other.page.getByLabel('Reason for your decision').fill('Checked against both boards\' minutes')
  await other.page.getByRole('button', { name: 'Approve and publish' }).click()
  await other.page.getByText('The proposal was approved and published.').waitFor()

  // The answer to "who" changes from 1 April 2027.
  await other.page.goto(WHO)
  await other.page.getByRole('heading', { level: 2, name: /NHS Cheshire and Merseyside Integrated Care Board/ }).waitFor()
  // The proposal's record names both people, and so does the change log, as fields of the entry.
  await other.page.goto(proposalPath)
  const record = await other.page.locator('main').innerText()
  assert.match(record, /Proposed by\s+bea@example\.nhs\.uk/)
  assert.match(record, /Approved by\s+ann@example\.nhs\.uk/)
  const log = await (await other.page.request.get('/changes?limit=1000')).json()
  const entry = log.filter(e => e.change?.instrument?.kind === 'joint-committee').pop()
  assert.equal(entry.author, BEA)
  assert.equal(entry.decision.by, ANN)
  assert.equal(entry.decision.reason, 'Checked against both boards\' minutes')
  await signOut(other.page)
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

/** Starts a draft of the kind labelled `kind` from My work's "Draft a change". */
async function startDraft (page, kind, heading = kind) {
  await page.goto('/ui/drafts/new')
  await page.getByLabel(kind, { exact: true }).check()
  await page.getByRole('button', { name: 'Start the draft' }).click()
  await page.getByRole('heading', { level: 1, name: heading }).waitFor()
}

/** The value attributes of what a locator finds (read without the page's JavaScript). */
async function values (locator) {
  return Promise.all((await locator.all()).map(l => l.getAttribute('value')))
}

async function saveAndCheck (page) {
  await page.getByRole('button', { name: 'Save and check' }).click()
  await page.locator('h1').waitFor()
}

// Without JavaScript a term that names several things is a step, not a dead end: the
// form offers what it matched as radios. "Kent and Medway" names four instruments, and
// "Kent" two bodies: NHS Kent and Medway ICB (QKS) and its sub-ICB location 91Q.
test('an amendment sets its end, purposes and area, choosing by search, with JavaScript off', async () => {
  const { context, page } = await newPage(browser, { javaScriptEnabled: false })
  await signInWithOrganisation(page, 'eve')
  await startDraft(page, 'Amendment')
  await checkA11yWithoutScripts(page, 'draft-amend')
  await page.getByLabel('Title').fill('Kent and Medway specialised services joint committee narrowed (journey test, not a real amendment)')
  await page.getByLabel('Who makes it').fill('X24')
  await page.getByLabel('The instrument it changes').fill('Kent and Medway')
  await fillDate(page, 'New end date (optional)', '1', '10', '2024')
  await page.getByLabel('New purposes (optional)').fill('Test purpose')
  await page.getByLabel('The area of another body').check()
  await page.getByLabel('The body whose area it covers').fill('Kent')
  await fillDate(page, 'When it takes effect', '1', '4', '2024')
  await page.getByLabel('Source').fill('Journey test, not a real variation')
  await saveAndCheck(page)
  await page.getByRole('heading', { name: 'There is a problem' }).waitFor()
  const which = page.getByRole('group', { name: 'Which instrument do you mean by “Kent and Medway”?' })
  await which.getByLabel(/\(nhse-specialised-jc-QKS\)$/).check()
  const body = page.getByRole('group', { name: 'Which body do you mean by “Kent”?' })
  const offered = await values(body.getByRole('radio'))
  assert.deepEqual(offered.slice(0, 2), ['QKS', '91Q'], 'the ICB first, then its sub-ICB location')
  await checkA11yWithoutScripts(page, 'draft-choose', { shot: 'draft-choose' })
  await body.getByLabel(/\(QKS\)$/).check()
  await page.getByLabel('Legal basis').selectOption('nhs-act-2006-s65Z5')
  await saveAndCheck(page)
  await page.getByRole('heading', { name: 'Valid against the register' }).waitFor()
  await checkA11yWithoutScripts(page, 'draft-amend-valid', { shot: 'draft-amend' })
  await page.getByRole('link', { name: 'See or paste the draft as .vires text' }).click()
  const text = await page.getByLabel('Instrument in .vires').inputValue()
  const sets = text.split('\n').map(l => l.trim()).filter(l => l.startsWith('set '))
  assert.deepEqual(sets.map(l => l.replace(/^set\s+/, '')), ['until 2024-10-01', 'purposes test-purpose', 'area footprint(QKS)'])
  assert.match(text, /target +nhse-specialised-jc-QKS/)
  await signOut(page)
  await context.close()
})

// A body the register does not know (QZZ: no body has that code) is drafted, proposed and
// approved in the browser; then its establishment, abolition and a merger are drafted by
// form and valid, all with JavaScript off and signed in through the organisation.
test('a new body is drafted and approved, then its establishment, abolition and a merger, with JavaScript off', async () => {
  const eve = await newPage(browser, { javaScriptEnabled: false })
  const { page } = eve
  await signInWithOrganisation(page, 'eve')
  await startDraft(page, 'New body')
  await page.getByLabel('Code', { exact: true }).fill('QZZ')
  await page.getByLabel('Name', { exact: true }).fill('NHS Test Integrated Care Board (journey test, not a real body)')
  await page.getByLabel('Kind of body').selectOption('icb')
  await fillDate(page, 'When it comes into being', '1', '4', '2027')
  await page.getByLabel('What establishes it (optional)').fill('Journey test, not a real establishment order')
  await saveAndCheck(page)
  await page.getByRole('heading', { name: 'Valid against the register' }).waitFor()
  await checkA11yWithoutScripts(page, 'draft-body', { shot: 'draft-body' })
  await page.getByRole('button', { name: 'Preview what it changes' }).click()
  await page.getByText('A new body holds no function until an instrument gives it one').waitFor()
  await checkA11yWithoutScripts(page, 'draft-body-preview')
  await page.getByRole('button', { name: 'Propose for approval' }).click()
  await page.getByLabel('Why is this change being made?').fill('Journey test: a new ICB')
  await page.getByRole('button', { name: 'Send for approval' }).click()
  await page.getByText('Your draft was sent for approval.').waitFor()
  const proposal = new URL(page.url()).pathname

  const ann = await newPage(browser, { javaScriptEnabled: false })
  await signInWithOrganisation(ann.page, 'ann')
  await ann.page.goto(proposal)
  assert.match(await ann.page.locator('main').innerText(), /body QZZ \{/)
  await checkA11yWithoutScripts(ann.page, 'proposal-body')
  await ann.page.getByLabel('Reason for your decision').fill('Journey test')
  await ann.page.getByRole('button', { name: 'Approve and publish' }).click()
  await ann.page.getByText('The proposal was approved and published.').waitFor()
  await signOut(ann.page)
  await ann.context.close()

  // Its establishment by NHS England: the powers offered are those NHS England may use to
  // establish a body on that day (s.14Z25, inserted by the Health and Care Act 2022 s.19).
  await startDraft(page, 'Establishment of a body')
  await page.getByLabel('Title').fill('Establishment of NHS Test Integrated Care Board (journey test)')
  await page.getByLabel('Who makes it').fill('X24')
  await page.getByLabel('The body established').fill('QZZ')
  await fillDate(page, 'When it takes effect', '1', '4', '2027')
  await page.getByLabel('Source').fill('Journey test, not a real order')
  await saveAndCheck(page)
  const powers = (await values(page.getByLabel('Legal basis').locator('option'))).filter(v => v)
  assert.deepEqual(powers, ['nhs-act-2006-s14Z25'])
  await page.getByLabel('Legal basis').selectOption('nhs-act-2006-s14Z25')
  await saveAndCheck(page)
  await page.getByRole('heading', { name: 'Valid against the register' }).waitFor()
  await checkA11yWithoutScripts(page, 'draft-establish', { shot: 'draft-establish' })

  await startDraft(page, 'Abolition of a body')
  await page.getByLabel('Title').fill('Abolition of NHS Test Integrated Care Board (journey test)')
  await page.getByLabel('Who makes it').fill('X24')
  await page.getByLabel('The body abolished').fill('QZZ')
  await fillDate(page, 'When it takes effect', '1', '4', '2028')
  await page.getByLabel('Source').fill('Journey test, not a real order')
  await page.getByLabel('Legal basis').selectOption('nhs-act-2006-s14Z25')
  await saveAndCheck(page)
  await page.getByRole('heading', { name: 'Valid against the register' }).waitFor()
  await checkA11yWithoutScripts(page, 'draft-abolish')

  await startDraft(page, 'Merger of bodies')
  await page.getByLabel('Title').fill('NHS Test ICB merges into NHS Cheshire and Merseyside ICB (journey test)')
  await page.getByLabel('Who makes it').fill('X24')
  await page.getByLabel('The bodies that merge').fill('QZZ')
  await page.getByLabel('The body they merge into').fill('Cheshire and Merseyside Integrated Care Board')
  await fillDate(page, 'When it takes effect', '1', '4', '2028')
  await page.getByLabel('Source').fill('Journey test, not a real order')
  await page.getByLabel('Legal basis').selectOption('nhs-act-2006-s14Z25')
  await saveAndCheck(page)
  await page.getByRole('heading', { name: 'Valid against the register' }).waitFor()
  assert.match(await page.locator('.vires-found').allInnerTexts().then(t => t.join('\n')), /NHS Cheshire and Merseyside Integrated Care Board \(QYG\)/)
  await checkA11yWithoutScripts(page, 'draft-merge', { shot: 'draft-merge' })
  await signOut(page)
  await eve.context.close()
})
