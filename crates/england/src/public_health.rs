//! Upper-tier local authorities and their public health duty, where the bundled data can
//! place practices in them.
//!
//! From 2013-04-01 each local authority must take the steps it considers appropriate for
//! improving the health of the people in its area (NHS Act 2006 s.2B, inserted by the Health
//! and Social Care Act 2012 s.12); the authorities of that section are the upper tier. The
//! bundled data maps no practice to an authority. What it does have is the ONS CCG (April
//! 2021) to district lookup: a CCG that overlaps one district only lies wholly inside it, and
//! where that district is itself an upper-tier authority (a unitary authority, `E06`; a
//! metropolitan district, `E08`; a London borough, `E09`), the CCG's practices, and those of
//! the CCGs it was formed from, are in that authority. Those authorities become bodies with
//! their ONS codes, each holding `commissioning.public-health` over those practices. Two-tier
//! districts (`E07`) are not upper tier, and the lookup does not give their county; practices
//! of CCGs that span authorities are not placed. The coverage statement says so.

use crate::areas::LookupRow;
use crate::quality::kinds;
use crate::Ctx;
use jiff::civil::{date, Date};
use std::collections::{BTreeMap, BTreeSet};
use vires_core::{AreaExpr, Body, BodyKind, Instrument, InstrumentKind, Interval, Receivers};

/// Local authorities took on public health on this day.
const FROM: Date = date(2013, 4, 1);

/// ONS district code prefixes that are upper-tier authorities themselves.
const UPPER_TIER: [&str; 3] = ["E06", "E08", "E09"];

pub(crate) const FUNCTION: &str = "commissioning.public-health";

const BASIS: &str = "Health and Social Care Act 2012 s.12, inserting NHS Act 2006 s.2B(1): each local authority must take such steps as it considers appropriate for improving the health of the people in its area";

/// The upper-tier authorities (by ONS code) that wholly contain at least one CCG of April
/// 2021, with their names and those CCGs.
fn authorities(rows: &[LookupRow]) -> BTreeMap<String, (String, Vec<String>)> {
    let mut districts_of: BTreeMap<&str, BTreeSet<(&str, &str)>> = BTreeMap::new();
    for r in rows {
        districts_of
            .entry(&r.ccg)
            .or_default()
            .insert((&r.district, &r.district_name));
    }
    let mut out: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for (ccg, districts) in districts_of {
        // Overlapping one district only, the CCG lies wholly inside it.
        if districts.len() != 1 {
            continue;
        }
        let Some((code, name)) = districts.into_iter().next() else {
            continue;
        };
        if !UPPER_TIER.iter().any(|p| code.starts_with(p)) {
            continue;
        }
        out.entry(code.to_string())
            .or_insert_with(|| (name.to_string(), Vec::new()))
            .1
            .push(ccg.to_string());
    }
    out
}

/// The CCG codes merged, directly or in turn, into `code` before 2022-07-01.
fn predecessors(ctx: &Ctx, code: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut todo = vec![code.to_string()];
    while let Some(c) = todo.pop() {
        for s in &ctx.register.successions {
            if s.to == c && s.from != c && s.on < crate::ICB_START && !out.contains(&s.from) {
                out.push(s.from.clone());
                todo.push(s.from.clone());
            }
        }
    }
    out.sort();
    out
}

/// Adds the authorities and their conferrals; returns how many authorities.
pub(crate) fn add_upper_tier(ctx: &mut Ctx, rows: &[LookupRow], file: &str) -> usize {
    let mut report = std::mem::take(&mut ctx.report);
    let found = authorities(rows);
    let mut added = 0;
    for (code, (name, ccgs)) in &found {
        let mut placed: Vec<String> = Vec::new();
        for c in ccgs {
            if ctx.register.bodies_with_code(c).is_empty() {
                continue;
            }
            placed.push(c.clone());
            placed.extend(predecessors(ctx, c));
        }
        placed.sort();
        placed.dedup();
        if placed.is_empty() {
            continue;
        }
        let body = Body {
            code: code.clone(),
            name: format!("{name} (upper-tier local authority)"),
            kind: BodyKind::LocalAuthority,
            life: Interval::new(FROM, None),
            basis: Some("An upper-tier local authority for NHS Act 2006 s.2B (a unitary authority, metropolitan district or London borough council)".into()),
            source: Some(format!(
                "ONS CCG (April 2021) to local authority district lookup ({}): district {code}, {name}; recorded from 2013-04-01, when local authorities took on public health",
                file
            )),
            ons_code: Some(code.clone()),
            span: None,
        };
        if let Err(e) = ctx.register.add_body(body) {
            report.reject(
                kinds::DUPLICATE_CODE,
                file,
                1,
                Some(code),
                format!("upper-tier authority {code} not added: {e}"),
            );
            continue;
        }
        // One conferral per CCG code, over its footprint while a body has that code: a
        // footprint named after its body has gone follows the successors (to the ICB after
        // 2022), which would reach past the authority.
        for c in &placed {
            let lives: Vec<Interval> = ctx
                .register
                .bodies_with_code(c)
                .iter()
                .map(|&b| ctx.register.body(b).life)
                .collect();
            let Some(first) = lives.iter().map(|l| l.from).min() else {
                continue;
            };
            let until = if lives.iter().any(|l| l.until.is_none()) {
                None
            } else {
                lives.iter().filter_map(|l| l.until).max()
            };
            let from = first.max(FROM);
            if until.is_some_and(|u| u <= from) {
                continue;
            }
            let mut i = Instrument::new(
                format!("hsca2012-public-health-{code}-{c}"),
                InstrumentKind::Conferral,
                from,
            );
            i.title = format!(
                "Health and Social Care Act 2012: {name} improves the health of its people (the practices of {c})"
            )
            .into();
            i.maker = Some("PARLIAMENT".into());
            i.functions.push(FUNCTION.into());
            i.area = Some(AreaExpr::Footprint(c.as_str().into()));
            i.until = until;
            i.terms_mut().receivers = Receivers::Bodies(vec![code.clone()]);
            i.terms_mut().basis = Some(BASIS.into());
            i.terms_mut().source = Some(format!(
                "Health and Social Care Act 2012 s.12 (legislation.gov.uk/ukpga/2012/7/section/12), inserting NHS Act 2006 s.2B; the steps local authorities must take are in the Local Authorities (Public Health Functions and Entry to Premises by Local Healthwatch Representatives) Regulations 2013 (SI 2013/351). The area is the practices of {c}, {}: by the ONS CCG (April 2021) to district lookup ({}) the CCGs {} lie wholly in {name}; the authority's practices in CCGs that also cover another authority are not placed",
                if ccgs.contains(c) {
                    "a CCG of April 2021".to_string()
                } else {
                    format!("a CCG merged into {} before 2021", ccgs.join(" or "))
                },
                file,
                ccgs.join(", ")
            ));
            ctx.register.add_instrument(i);
        }
        added += 1;
    }
    if added > 0 {
        report.info(
            kinds::AREA_APPROXIMATION,
            file,
            None,
            None,
            format!("{added} upper-tier local authorities hold public health over the practices of the CCGs that lie wholly inside them; practices of CCGs that span authorities, and two-tier counties, are not placed (see the coverage statement)"),
        );
    }
    ctx.report = report;
    added
}
