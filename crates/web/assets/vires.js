// Progressive enhancement only: every page works without this file.
import { initAll } from './vendor/nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()

// Search as one types on the drafting forms: up to eight suggestions from GET /search (the
// register's one search) under each field marked data-vires-search; choosing one puts its
// code in place of the term being typed. Without this script the form works the same way
// with a step more: a term that matches several things is offered as radios after saving.
function formDate (form) {
  const part = p => form.querySelector(`[name="from-${p}"]`)?.value.trim() ?? ''
  const [d, m, y] = [part('day'), part('month'), part('year')]
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return null
  return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`
}

function suggestions (f, forBody) {
  if (f.kind === 'practice' && forBody) {
    // A practice's code or postcode stands for the ICB or CCG whose area holds it.
    if (f.matched !== 'code' && f.matched !== 'postcode') return []
    return (f.within ?? [])
      .filter(w => w.kind === 'icb' || w.kind === 'ccg')
      .map(w => ({ code: w.code, label: `${w.name} (${w.code}), for ${f.name}, ${f.postcode ?? f.code}` }))
  }
  const where = f.postcode ? `, ${f.postcode}` : ''
  return [{ code: f.code, label: `${f.name}${where} (${f.code})` }]
}

function enhanceSearch (box) {
  const input = box.querySelector('input.nhsuk-input')
  if (!input) return
  const kinds = box.dataset.viresSearch
  const many = box.dataset.viresMany === 'yes'
  const list = document.createElement('ul')
  list.className = 'nhsuk-list vires-suggestions'
  list.id = `${input.id}-suggestions`
  list.hidden = true
  const status = document.createElement('p')
  status.className = 'nhsuk-u-visually-hidden'
  status.setAttribute('role', 'status')
  input.setAttribute('autocomplete', 'off')
  input.setAttribute('aria-controls', list.id)
  input.after(list, status)
  const terms = () => input.value.split(',')
  let timer
  let asked = 0
  async function suggest () {
    const term = (many ? terms().pop() : input.value).trim()
    const mine = ++asked
    if (term.length < 2) {
      list.hidden = true
      list.replaceChildren()
      return
    }
    const query = new URLSearchParams({ q: term, kind: kinds, limit: '40' })
    const on = formDate(input.form)
    if (on) query.set('on', on)
    let answer
    try {
      const r = await fetch(`/search?${query}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      if (!r.ok) return
      answer = await r.json()
    } catch {
      return
    }
    if (mine !== asked) return
    const seen = new Set()
    // Best first, as the search ranks; among equals, bodies that make and receive
    // instruments before administrative units (as the server's choices are ordered).
    const unit = f => f.detail === 'sub-icb-location' || f.detail === 'reporting-entity' ? 1 : 0
    const options = answer.results
      .map((f, i) => ({ f, i }))
      .sort((a, b) => b.f.score - a.f.score || unit(a.f) - unit(b.f) || a.i - b.i)
      .flatMap(({ f }) => suggestions(f, kinds.split(',').includes('body')))
      .filter(o => !seen.has(o.code) && seen.add(o.code))
      .slice(0, 8)
    list.replaceChildren(...options.map(o => {
      const li = document.createElement('li')
      const b = document.createElement('button')
      b.type = 'button'
      b.className = 'vires-suggestion'
      b.textContent = o.label
      b.addEventListener('click', () => {
        const parts = many ? terms() : ['']
        parts[parts.length - 1] = o.code
        input.value = parts.map(p => p.trim()).filter(p => p).join(', ')
        list.hidden = true
        list.replaceChildren()
        status.textContent = `${o.label} chosen`
        input.focus()
      })
      li.append(b)
      return li
    }))
    list.hidden = options.length === 0
    status.textContent = options.length ? `${options.length} suggestions below` : `Nothing matches ${term}`
  }
  input.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(suggest, 200)
  })
}

document.querySelectorAll('[data-vires-search]').forEach(enhanceSearch)

// Radios that reveal a field when chosen (data-vires-reveals names it): the other choices'
// fields are hidden. Done here rather than by the design system's script, which marks the
// radios aria-expanded, an attribute a radio may not have.
function syncReveals (radio) {
  const group = radio.form?.querySelectorAll(`input[type="radio"][name="${radio.name}"]`) ?? []
  for (const r of group) {
    const target = r.dataset.viresReveals && document.getElementById(r.dataset.viresReveals)
    if (target) target.classList.toggle('nhsuk-radios__conditional--hidden', !r.checked)
  }
}
document.querySelectorAll('input[type="radio"][data-vires-reveals]').forEach(r => {
  const group = r.form?.querySelectorAll(`input[type="radio"][name="${r.name}"]`) ?? []
  for (const other of group) other.addEventListener('change', () => syncReveals(r))
  syncReveals(r)
})
