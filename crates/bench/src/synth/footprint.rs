//! One ICB footprint over the English timeline: CCGs merging on 1 April, practices
//! following their CCG, co-commissioning, joint committees, partnerships, interventions,
//! then the ICB era's delegations and recorded exercises.

use super::builder::{add_days, april, body, Builder, PlannedCcg, Stint};
use super::*;
use vires_core::{
    AmendChanges, AreaExpr, BodyKind, Instrument, InstrumentKind, Interval, Practice, Receivers,
};

impl Builder {
    /// One ICB footprint over the whole timeline.
    pub(super) fn group(&mut self, g: usize) {
        use InstrumentKind as K;
        self.shape.groups += 1;
        let n0 = self.rng.range(3, 7) as usize;
        let mut ccgs: Vec<PlannedCcg> = Vec::new();
        for _ in 0..n0 {
            self.next_ccg += 1;
            ccgs.push(PlannedCcg {
                code: format!("C{}", self.next_ccg),
                from: CCG_START,
                until: ICB_START,
                into: None,
            });
        }
        // Mergers on 1 April: two or three live CCGs become a new one.
        let mut merges: Vec<(Date, Vec<usize>, usize)> = Vec::new();
        for y in 2014..=2021 {
            let on = april(y);
            let live: Vec<usize> = (0..ccgs.len())
                .filter(|&i| ccgs[i].from <= on && ccgs[i].until > on)
                .collect();
            if live.len() < 2 || !self.rng.chance(0.14) {
                continue;
            }
            let k = (self.rng.range(2, 3) as usize).min(live.len());
            let start = self.rng.below((live.len() - k + 1) as u64) as usize;
            let preds: Vec<usize> = live[start..start + k].to_vec();
            self.next_ccg += 1;
            let succ = ccgs.len();
            ccgs.push(PlannedCcg {
                code: format!("C{}", self.next_ccg),
                from: on,
                until: ICB_START,
                into: None,
            });
            for &p in &preds {
                ccgs[p].until = on;
                ccgs[p].into = Some(succ);
            }
            merges.push((on, preds, succ));
        }
        let icb_code = format!("Q{g}");
        let la_code = format!("E{g}");
        let mut ccg_ids = Vec::with_capacity(ccgs.len());
        for c in &ccgs {
            ccg_ids.push(self.add_body(body(c.code.clone(), BodyKind::Ccg, c.from, Some(c.until))));
        }
        self.shape.ccgs += ccgs.len();
        let icb = self.add_body(body(icb_code.clone(), BodyKind::Icb, ICB_START, None));
        self.shape.icbs += 1;
        self.add_body(body(
            la_code.clone(),
            BodyKind::LocalAuthority,
            date(2009, 4, 1),
            None,
        ));
        // Sub-ICB locations keep the codes of the CCGs alive at the end of the CCG era.
        let survivors: Vec<usize> = (0..ccgs.len())
            .filter(|&i| ccgs[i].until == ICB_START)
            .collect();
        let mut sub_icb = vec![None; ccgs.len()];
        for &s in &survivors {
            let id = self.add_body(body(
                ccgs[s].code.clone(),
                BodyKind::SubIcbLocation,
                ICB_START,
                None,
            ));
            if let (Some(child), Some(parent)) = (id, icb) {
                self.reg
                    .add_parent(child, parent, Interval::new(ICB_START, None));
            }
            sub_icb[s] = id;
        }
        for (on, preds, succ) in &merges {
            let mut m = Instrument::new(self.id("merge-"), K::Merge, *on);
            m.title = format!("Merger into {}", ccgs[*succ].code).into();
            m.terms_mut().basis = Some("NHS Act 2006 s.14G".into());
            m.maker = Some("X24".into());
            m.particulars_mut().predecessors =
                preds.iter().map(|&p| ccgs[p].code.clone()).collect();
            m.terms_mut().receivers = Receivers::Bodies(vec![ccgs[*succ].code.clone()]);
            self.push(m);
        }
        // Practices, each following its CCG through mergers; a few move or close.
        let mut stints_by_practice: Vec<(String, Vec<Stint>)> = Vec::new();
        for c0 in 0..n0 {
            let np = self.rng.range(15, 35);
            for _ in 0..np {
                self.next_practice += 1;
                let code = format!("P{}", self.next_practice);
                let opened = if self.rng.chance(0.1) {
                    add_days(CCG_START, self.rng.range(30, 3000))
                } else {
                    CCG_START
                };
                let closed = self
                    .rng
                    .chance(0.05)
                    .then(|| add_days(opened, self.rng.range(200, 3500)));
                let mut stints: Vec<Stint> = Vec::new();
                let mut cur = c0;
                let mut t = opened;
                // Follow the practice's CCG through mergers, with an occasional move to a
                // sibling CCG on 1 April.
                loop {
                    while ccgs[cur].until <= t {
                        match ccgs[cur].into {
                            Some(n) => cur = n,
                            None => break,
                        }
                    }
                    if ccgs[cur].until <= t {
                        break;
                    }
                    let mut end = ccgs[cur].until;
                    let mut next = ccgs[cur].into;
                    if self.rng.chance(0.03) {
                        let y = self.rng.range(t.year() as i64 + 1, 2021) as i16;
                        let mv = april(y);
                        if mv > t && mv < end {
                            let siblings: Vec<usize> = (0..ccgs.len())
                                .filter(|&i| i != cur && ccgs[i].from <= mv && ccgs[i].until > mv)
                                .collect();
                            if let Some(&s) = self.rng.pick(&siblings) {
                                end = mv;
                                next = Some(s);
                            }
                        }
                    }
                    stints.push((t, Some(end), cur));
                    match next {
                        Some(n) if end < ICB_START => {
                            cur = n;
                            t = end;
                        }
                        _ => break,
                    }
                }
                // From the ICB start, the sub-ICB location of the last CCG.
                if let Some(&(_, _, last)) = stints.last() {
                    if ccgs[last].until == ICB_START {
                        stints.push((ICB_START.max(opened), None, last));
                    }
                }
                // Closure cuts the timeline.
                if let Some(cl) = closed {
                    stints.retain(|s| s.0 < cl);
                    for s in stints.iter_mut() {
                        if s.1.is_none_or(|u| u > cl) {
                            s.1 = Some(cl);
                        }
                    }
                }
                stints_by_practice.push((code, stints));
            }
        }
        self.shape.practices += stints_by_practice.len();
        for (code, stints) in &stints_by_practice {
            let Ok(a) = self.reg.add_practice(Practice {
                code: code.as_str().into(),
                name: Box::default(),
                postcode: None,
                status: None,
            }) else {
                continue;
            };
            for &(from, until, c) in stints {
                let b = if from >= ICB_START {
                    sub_icb[c]
                } else {
                    ccg_ids[c]
                };
                if let Some(b) = b {
                    self.reg.add_membership(a, b, Interval::new(from, until));
                }
            }
        }
        // Primary care co-commissioning from April 2015 (or a later April), through mergers
        // (the successor carries the agreement) to the end of the CCG era.
        for c in 0..ccgs.len() {
            if ccgs[c].from > april(2015) || ccgs[c].until <= april(2015) {
                continue;
            }
            let start = april(self.rng.range(2015, 2018) as i16).max(ccgs[c].from);
            if start >= ccgs[c].until {
                continue;
            }
            let code = ccgs[c].code.clone();
            let level = self.rng.below(100);
            if level < 25 {
                continue;
            }
            if level < 55 {
                let mut j = Instrument::new(self.id("cocom-joint-"), K::JointCommittee, start);
                j.title = format!("Primary care joint committee of NHS England and {code}").into();
                j.terms_mut().basis = Some("NHS Act 2006 s.13Z".into());
                j.maker = Some("X24".into());
                j.terms_mut().receivers = Receivers::Bodies(vec!["X24".into(), code.clone()]);
                j.functions = vec![F_MEDICAL.into()].into();
                j.area = Some(AreaExpr::Footprint(code.as_str().into()));
                j.until = Some(ICB_START);
                self.push(j);
                continue;
            }
            if self.rng.chance(0.5) {
                // Annual agreements, renewed each April until the CCG leaves delegation.
                let mut y = start.year();
                let last = if self.rng.chance(0.2) {
                    self.rng.range(y as i64, 2021) as i16
                } else {
                    2021
                };
                while y <= last {
                    let from = april(y).max(start);
                    let until = if y == 2021 { ICB_START } else { april(y + 1) };
                    // After a merger the agreement is renewed with the successor.
                    let mut holder = c;
                    while ccgs[holder].until <= from {
                        match ccgs[holder].into {
                            Some(n) => holder = n,
                            None => break,
                        }
                    }
                    let code = ccgs[holder].code.clone();
                    let mut d = Instrument::new(self.id("cocom-"), K::Delegation, from);
                    d.title =
                        format!("Delegation agreement {y}/{} with {code}", (y + 1) % 100).into();
                    d.terms_mut().basis = Some("NHS Act 2006 s.13Z".into());
                    d.maker = Some("X24".into());
                    d.terms_mut().receivers = Receivers::Bodies(vec![code.clone()]);
                    d.functions = vec![F_MEDICAL.into()].into();
                    d.area = Some(AreaExpr::Own);
                    d.until = Some(until);
                    self.push(d);
                    y += 1;
                }
            } else {
                let id = self.id("cocom-");
                let mut d = Instrument::new(id.clone(), K::Delegation, start);
                d.title = format!("Delegation of primary medical services to {code}").into();
                d.terms_mut().basis = Some("NHS Act 2006 s.13Z".into());
                d.maker = Some("X24".into());
                d.terms_mut().receivers = Receivers::Bodies(vec![code.clone()]);
                d.functions = vec![F_MEDICAL.into()].into();
                d.area = Some(AreaExpr::Own);
                d.until = Some(ICB_START);
                self.push(d);
                if self.rng.chance(0.15) {
                    let on = april(self.rng.range(start.year() as i64 + 1, 2021) as i16);
                    let mut r = Instrument::new(self.id("cocom-exit-"), K::Revoke, on);
                    r.title = format!("{code} leaves delegated commissioning").into();
                    r.maker = Some("X24".into());
                    r.particulars_mut().target = Some(id);
                    self.push(r);
                }
            }
        }
        // Joint committees of CCGs (s.14Z3, from October 2014): each member delegates to the
        // committee, whose members exercise the function together.
        if self.rng.chance(0.5) {
            let on = april(self.rng.range(2015, 2019) as i16);
            let members: Vec<usize> = (0..ccgs.len())
                .filter(|&i| ccgs[i].from <= on && ccgs[i].until > on)
                .collect();
            if members.len() >= 2 {
                let until = members
                    .iter()
                    .map(|&m| ccgs[m].until)
                    .min()
                    .unwrap_or(ICB_START);
                let codes: Vec<String> = members.iter().map(|&m| ccgs[m].code.clone()).collect();
                for code in &codes {
                    let mut j = Instrument::new(self.id("jc-"), K::JointCommittee, on);
                    j.title = format!("Urgent care joint committee ({code})").into();
                    j.terms_mut().basis = Some("NHS Act 2006 s.14Z3".into());
                    j.maker = Some(code.as_str().into());
                    j.terms_mut().receivers = Receivers::Bodies(codes.clone());
                    j.functions = vec![F_URGENT.into()].into();
                    j.area = Some(AreaExpr::Own);
                    j.until = Some(until);
                    self.push(j);
                }
            }
        }
        // s.75 partnerships with the council for community services.
        for ccg in &ccgs {
            if !self.rng.chance(0.4) {
                continue;
            }
            let from = april(
                self.rng
                    .range(ccg.from.year() as i64, ccg.until.year() as i64 - 1)
                    as i16,
            )
            .max(ccg.from);
            if from >= ccg.until {
                continue;
            }
            let mut p = Instrument::new(self.id("s75-"), K::Partnership, from);
            p.title = format!("Section 75 agreement: {} and {la_code}", ccg.code).into();
            p.terms_mut().basis = Some("NHS Act 2006 s.75".into());
            p.maker = Some(ccg.code.as_str().into());
            p.particulars_mut().lead = Some(la_code.clone());
            p.terms_mut().receivers = Receivers::Bodies(vec![la_code.clone()]);
            p.functions = vec![F_COMMUNITY.into()].into();
            p.area = Some(AreaExpr::Own);
            p.particulars_mut().pooled_budget = Some("better care fund".into());
            p.until = Some(ccg.until);
            self.push(p);
        }
        // Interventions (s.14Z21): NHS England directs a neighbour to take on part of a
        // struggling CCG's acute commissioning for about fourteen months.
        for c in 0..ccgs.len() {
            if !self.rng.chance(0.12) {
                continue;
            }
            let lo = day_number(ccgs[c].from) + 30;
            let hi = day_number(ccgs[c].until) - 120;
            if hi <= lo {
                continue;
            }
            let from = from_day_number(self.rng.range(lo, hi));
            let helpers: Vec<usize> = (0..ccgs.len())
                .filter(|&i| i != c && ccgs[i].from <= from && ccgs[i].until > from)
                .collect();
            let Some(&h) = self.rng.pick(&helpers) else {
                continue;
            };
            let until = from_day_number(day_number(from) + 425)
                .min(ccgs[c].until)
                .min(ccgs[h].until);
            let id = self.id("intervention-");
            let mut d = Instrument::new(id.clone(), K::Direction, from);
            d.title = format!(
                "Directions to {} on {}'s acute commissioning",
                ccgs[h].code, ccgs[c].code
            )
            .into();
            d.terms_mut().basis = Some("NHS Act 2006 s.14Z21".into());
            d.maker = Some("X24".into());
            d.particulars_mut().of = Some(Box::new(Receivers::Bodies(vec![ccgs[c].code.clone()])));
            d.terms_mut().receivers = Receivers::Bodies(vec![ccgs[h].code.clone()]);
            d.functions = vec![F_ACUTE.into()].into();
            d.area = Some(AreaExpr::Own);
            d.until = Some(until);
            if self.rng.chance(0.5) {
                d.concurrent = true;
                d.terms_mut().purposes = vec![RECOVERY_PURPOSE.into()];
            }
            self.push(d);
            let limit = ccgs[c].until.min(ccgs[h].until);
            let longer = from_day_number(day_number(until) + 182).min(limit);
            let on =
                from_day_number(day_number(until) - 30).max(from_day_number(day_number(from) + 1));
            if self.rng.chance(0.3) && longer > until && on < until {
                let mut a = Instrument::new(self.id("intervention-ext-"), K::Amend, on);
                a.title = "Directions extended".into();
                a.maker = Some("X24".into());
                a.particulars_mut().target = Some(id);
                a.particulars_mut().changes = Some(Box::new(AmendChanges {
                    until: Some(longer),
                    ..AmendChanges::default()
                }));
                self.push(a);
            }
        }
        // The ICB era: dental, pharmacy and optometry; specialised services through joint
        // committees, then delegation.
        let pod_from = if self.rng.chance(0.2) {
            ICB_START
        } else {
            april(2023)
        };
        let mut pod = Instrument::new(self.id("pod-"), K::Delegation, pod_from);
        pod.title = format!("Delegation of dental, pharmacy and optometry to {icb_code}").into();
        pod.terms_mut().basis = Some("NHS Act 2006 s.65Z5".into());
        pod.maker = Some("X24".into());
        pod.terms_mut().receivers = Receivers::Bodies(vec![icb_code.clone()]);
        pod.functions = vec![F_DENTAL.into(), F_PHARMACY.into(), F_OPTOMETRY.into()].into();
        pod.area = Some(AreaExpr::Own);
        self.push(pod);
        let first = self.rng.range(1, 20) as usize;
        let services: Vec<vires_core::SmolStr> = (first..first + 40)
            .map(|s| specialised(1 + (s - 1) % SPECIALISED_SERVICES).into())
            .collect();
        let jc_id = self.id("spec-jc-");
        let mut jc = Instrument::new(jc_id.clone(), K::JointCommittee, april(2023));
        jc.title = format!("Specialised services joint committee with {icb_code}").into();
        jc.terms_mut().basis = Some("NHS Act 2006 s.65Z5".into());
        jc.maker = Some("X24".into());
        jc.terms_mut().receivers = Receivers::Bodies(vec!["X24".into(), icb_code.clone()]);
        jc.functions = services.clone().into();
        jc.area = Some(AreaExpr::Footprint(icb_code.as_str().into()));
        self.push(jc);
        let wave = if self.rng.chance(0.4) {
            april(2024)
        } else {
            april(2025)
        };
        let mut end = Instrument::new(self.id("spec-jc-end-"), K::Revoke, wave);
        end.title = "Joint committee ends on delegation".into();
        end.maker = Some("X24".into());
        end.particulars_mut().target = Some(jc_id);
        self.push(end);
        let mut del = Instrument::new(self.id("spec-"), K::Delegation, wave);
        del.title = format!("Delegation of specialised services to {icb_code}").into();
        del.terms_mut().basis = Some("NHS Act 2006 s.65Z5".into());
        del.maker = Some("X24".into());
        del.terms_mut().receivers = Receivers::Bodies(vec![icb_code.clone()]);
        del.functions = services.into();
        del.area = Some(AreaExpr::Own);
        self.push(del);
        if self.rng.chance(0.4) {
            let mut p = Instrument::new(self.id("s75-"), K::Partnership, april(2023));
            p.title = format!("Section 75 agreement: {icb_code} and {la_code}").into();
            p.terms_mut().basis = Some("NHS Act 2006 s.75".into());
            p.maker = Some(icb_code.as_str().into());
            p.particulars_mut().lead = Some(la_code.clone());
            p.terms_mut().receivers = Receivers::Bodies(vec![la_code.clone()]);
            p.functions = vec![F_COMMUNITY.into()].into();
            p.area = Some(AreaExpr::Own);
            self.push(p);
        }
        // Recorded commissioning decisions at practices, by the commissioner of the day.
        for (code, stints) in &stints_by_practice {
            for &(from, until, c) in stints {
                let lo = day_number(from);
                let hi = day_number(until.unwrap_or(HORIZON)) - 1;
                let years = ((hi - lo) / 365).max(1);
                for _ in 0..years {
                    if !self.rng.chance(0.1) {
                        continue;
                    }
                    let on = from_day_number(self.rng.range(lo, hi));
                    let by = if on >= ICB_START {
                        icb_code.clone()
                    } else {
                        ccgs[c].code.clone()
                    };
                    let mut e = Instrument::new(self.id("decision-"), K::Exercise, on);
                    e.title = format!("Acute contract decision for {code}").into();
                    e.maker = Some(by.into());
                    e.functions = vec![F_ACUTE.into()].into();
                    e.area = Some(AreaExpr::Practices(
                        [code.as_str().into()].into_iter().collect(),
                    ));
                    self.push(e);
                }
            }
        }
    }
}
