//! Lineage: which codes became which, and when, from ODS successions and merger instruments;
//! and the analyst's map of historic codes onto the bodies that carry them on a date.

use crate::model::body::{BodyId, BodyKind};
use crate::model::instrument::{InstrumentKind, Receivers};
use crate::model::register::Register;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = LineageStep))]
pub struct Step {
    pub code: String,
    pub on: Date,
    /// The codes between the one asked about and this one, nearest to the one asked about
    /// first: empty for a direct predecessor or successor. (00F's successors: 13T, then
    /// QHM via 13T.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lineage {
    pub code: String,
    /// Every code that led to this one, over any number of steps, earliest first.
    pub predecessors: Vec<Step>,
    /// Every code this one led to, over any number of steps, earliest first.
    pub successors: Vec<Step>,
}

/// Direct succession edges: code → (successor code, date), from both sources, de-duplicated.
pub fn edges(reg: &Register) -> BTreeMap<String, BTreeSet<(Date, String)>> {
    let mut out: BTreeMap<String, BTreeSet<(Date, String)>> = BTreeMap::new();
    for s in &reg.successions {
        if s.from != s.to {
            out.entry(s.from.clone())
                .or_default()
                .insert((s.on, s.to.clone()));
        }
    }
    for ins in &reg.instruments {
        if ins.kind != InstrumentKind::Merge {
            continue;
        }
        if let Receivers::Bodies(into) = &ins.terms().receivers {
            for to in into {
                for p in &ins.particulars().predecessors {
                    if p != to {
                        out.entry(p.clone())
                            .or_default()
                            .insert((ins.from, to.clone()));
                    }
                }
            }
        }
    }
    out
}

fn reverse(
    e: &BTreeMap<String, BTreeSet<(Date, String)>>,
) -> BTreeMap<String, BTreeSet<(Date, String)>> {
    let mut out: BTreeMap<String, BTreeSet<(Date, String)>> = BTreeMap::new();
    for (from, tos) in e {
        for (on, to) in tos {
            out.entry(to.clone())
                .or_default()
                .insert((*on, from.clone()));
        }
    }
    out
}

/// Every code reached from `start` along `e`, each by its shortest path, with the codes
/// passed through on the way.
fn walk(start: &str, e: &BTreeMap<String, BTreeSet<(Date, String)>>) -> Vec<Step> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    let mut queue: VecDeque<(String, Vec<String>)> =
        VecDeque::from([(start.to_string(), Vec::new())]);
    seen.insert(start.to_string());
    while let Some((c, via)) = queue.pop_front() {
        if let Some(next) = e.get(&c) {
            let mut through = via.clone();
            if c != start {
                through.push(c.clone());
            }
            for (on, n) in next {
                if seen.insert(n.clone()) {
                    out.push(Step {
                        code: n.clone(),
                        on: *on,
                        via: through.clone(),
                    });
                    queue.push_back((n.clone(), through.clone()));
                }
            }
        }
    }
    out.sort();
    out
}

/// Predecessors and successors of a code, over any number of steps.
pub fn lineage(reg: &Register, code: &str) -> Option<Lineage> {
    let known = !reg.bodies_with_code(code).is_empty()
        || reg
            .successions
            .iter()
            .any(|s| s.from == code || s.to == code);
    if !known {
        return None;
    }
    let fwd = edges(reg);
    let back = reverse(&fwd);
    Some(Lineage {
        code: code.to_string(),
        predecessors: walk(code, &back),
        successors: walk(code, &fwd),
    })
}

/// One row of the analyst's code map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapRow {
    pub old_code: String,
    pub old_name: String,
    pub old_kind: String,
    pub on: Date,
    /// The code carrying it on `on`, after following successions.
    pub code: String,
    pub name: String,
    pub kind: String,
    /// The ICB whose footprint contains it on `on` (itself, if it is an ICB).
    pub icb_code: Option<String>,
    pub icb_name: Option<String>,
    /// Codes passed through, old first.
    pub path: Vec<String>,
}

/// The ICBs alive on `on` that a place in no ICB on `on` went to: a sub-ICB location whose
/// ICB was abolished in a reshape is placed by that ICB's successions, followed through
/// bodies closed by `on` (one ICB per part of a split). `None` when the timeline does not say.
fn successor_icbs(
    reg: &Register,
    fwd: &BTreeMap<String, BTreeSet<(Date, String)>>,
    b: BodyId,
    on: Date,
) -> Vec<BodyId> {
    // The ICB it sat in last, else its own code's successions.
    let last_icb = reg
        .parents
        .iter()
        .filter(|p| p.child == b && p.during.until.is_some_and(|u| u <= on))
        .max_by_key(|p| p.during.until)
        .map(|p| reg.body(p.parent).code.as_str());
    let start = last_icb.unwrap_or(reg.body(b).code.as_str());
    let mut out = Vec::new();
    let mut seen: BTreeSet<&str> = BTreeSet::from([start]);
    let mut queue: VecDeque<&str> = VecDeque::from([start]);
    while let Some(code) = queue.pop_front() {
        for (_, to) in fwd
            .get(code)
            .into_iter()
            .flatten()
            .filter(|(d, _)| *d <= on)
        {
            if !seen.insert(to.as_str()) {
                continue;
            }
            match reg.body_at(to, on) {
                Some(t) if reg.body(t).kind == BodyKind::Icb => out.push(t),
                Some(_) => {}
                None => queue.push_back(to.as_str()),
            }
        }
    }
    out.sort_by(|x, y| reg.body(*x).code.cmp(&reg.body(*y).code));
    out
}

/// Maps every commissioner code ever known onto the bodies that carry it on `on`.
pub fn map_to(reg: &Register, on: Date) -> Vec<MapRow> {
    let fwd = edges(reg);
    let mut codes: BTreeSet<&str> = BTreeSet::new();
    for b in &reg.bodies {
        if matches!(
            b.kind,
            BodyKind::Ccg | BodyKind::Icb | BodyKind::SubIcbLocation | BodyKind::CommissioningHub
        ) {
            codes.insert(b.code.as_str());
        }
    }
    let mut rows = Vec::new();
    for old in codes {
        let Some(&first) = reg.bodies_with_code(old).first() else {
            continue;
        };
        let ob = reg.body(first);
        // Depth-first over successors dated on or before `on`, to every code alive then.
        let mut stack: Vec<(String, Vec<String>)> = vec![(old.to_string(), vec![old.to_string()])];
        let mut guard = 0;
        while let Some((code, path)) = stack.pop() {
            guard += 1;
            if guard > 10_000 {
                break;
            }
            if let Some(b) = reg.body_at(&code, on) {
                let body = reg.body(b);
                let icbs: Vec<Option<BodyId>> = if body.kind == BodyKind::Icb {
                    vec![Some(b)]
                } else if let Some(p) = reg
                    .parents
                    .iter()
                    .find(|p| p.child == b && p.during.contains(on))
                {
                    vec![Some(p.parent)]
                } else {
                    let after = successor_icbs(reg, &fwd, b, on);
                    if after.is_empty() {
                        vec![None]
                    } else {
                        after.into_iter().map(Some).collect()
                    }
                };
                for icb in icbs {
                    rows.push(MapRow {
                        old_code: old.to_string(),
                        old_name: ob.name.clone(),
                        old_kind: ob.kind.as_str().to_string(),
                        on,
                        code: body.code.clone(),
                        name: body.name.clone(),
                        kind: body.kind.as_str().to_string(),
                        icb_code: icb.map(|i| reg.body(i).code.clone()),
                        icb_name: icb.map(|i| reg.body(i).name.clone()),
                        path: path.clone(),
                    });
                }
                continue;
            }
            let nexts: Vec<(Date, String)> = fwd
                .get(&code)
                .map(|s| s.iter().filter(|(d, _)| *d <= on).cloned().collect())
                .unwrap_or_default();
            for (_, n) in nexts {
                if !path.contains(&n) {
                    let mut p = path.clone();
                    p.push(n.clone());
                    stack.push((n, p));
                }
            }
        }
    }
    rows.sort_by(|a, b| a.old_code.cmp(&b.old_code).then(a.code.cmp(&b.code)));
    rows.dedup();
    rows
}
