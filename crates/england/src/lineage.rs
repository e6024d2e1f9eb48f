//! Lineage from the ODS successor file: CCG mergers on each 1 April, the CCG to ICB
//! succession of 2022-07-01 and later ICB reshapes, as [`Succession`]s and as merger
//! instruments; and the analyst's map from historic codes to the bodies that succeed them.
//!
//! The successor file's fifth column is a 0/1 flag that the file does not describe. Read
//! empirically over the whole bundled file, `1` marks a row whose successor was itself later
//! succeeded (491 of the 498 rows flagged `1`; 7 of the 11,039 rows flagged `0` also have a
//! later succession). The importer records it in each merger's source and relies on it for
//! nothing: chains are followed through the rows themselves.

use crate::allocation::Moves;
use crate::bodies::OdsOrg;
use crate::ods::{self, next_day, parse_date, SourceFile};
use crate::quality::{kinds, QualityReport};
use crate::reshape::Reshape;
use crate::{Ctx, ICB_START};
use jiff::civil::Date;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};
use vires_core::{BodyKind, Instrument, InstrumentKind, Receivers, Register, Succession};

/// A successor-file row kept because it concerns a body in the register.
#[derive(Debug, Clone)]
pub(crate) struct SuccRow {
    pub old: String,
    pub new: String,
    pub on: Date,
    pub flag: String,
    pub line: u64,
}

/// CCG mergers: NHS England granted applications to merge under the CCG merger power.
pub(crate) const CCG_MERGER_BASIS: &str = "NHS Act 2006 s.14G (merger of clinical commissioning groups, on their application, by NHS England; inserted by the Health and Social Care Act 2012) - section number to confirm";
/// The 2022 transition: CCGs abolished, ICBs established, property and liabilities transferred.
pub(crate) const ICB_TRANSITION_BASIS: &str = "Health and Care Act 2022 (abolition of clinical commissioning groups; establishment of integrated care boards under NHS Act 2006 s.14Z25; transfer of CCG property and liabilities to ICBs), in force 2022-07-01";
/// Later ICB mergers: NHS England varies and abolishes ICBs by order.
pub(crate) const ICB_RESHAPE_BASIS: &str = "NHS Act 2006 s.14Z25 (integrated care boards established, varied and abolished by NHS England order; inserted by the Health and Care Act 2022) - the order making this change is to confirm";

pub(crate) fn read_successions(
    f: &SourceFile,
    orgs: &BTreeMap<String, OdsOrg>,
    icbs: &BTreeMap<String, crate::bodies::IcbRow>,
    report: &mut QualityReport,
) -> Vec<SuccRow> {
    let (_, rows) = ods::rows(f, false, report);
    let known = |c: &str| orgs.contains_key(c) || icbs.contains_key(c);
    let mut kept = Vec::new();
    for r in rows {
        let layout = "the successor file has 5 (old code, new code, blank, date, flag)";
        if !r.has_columns(4, 0, &f.name, layout, report) {
            continue;
        }
        let (old, new) = (r.get(0), r.get(1));
        let (old_known, new_known) = (known(old), known(new));
        if !old_known && !new_known {
            // Trusts, practices and other organisations outside the register.
            continue;
        }
        let on = match parse_date(r.get(3)) {
            Ok(Some(d)) => d,
            Ok(None) => {
                report.reject(
                    kinds::BAD_DATE,
                    &f.name,
                    r.line,
                    Some(old),
                    "no effective date",
                );
                continue;
            }
            Err(e) => {
                report.reject(kinds::BAD_DATE, &f.name, r.line, Some(old), e);
                continue;
            }
        };
        if old.is_empty() || new.is_empty() {
            report.reject(
                kinds::MISSING_CODE,
                &f.name,
                r.line,
                None,
                "old or new code missing",
            );
            continue;
        }
        let row = SuccRow {
            old: old.to_string(),
            new: new.to_string(),
            on,
            flag: r.get(4).to_string(),
            line: r.line,
        };
        if old_known && new_known {
            kept.push(row);
        } else if icbs.contains_key(old) {
            // A successor to an ICB that the bundled ICB list does not know yet: a later reshape.
            kept.push(row);
        } else if old_known {
            report.warn(
                kinds::SUCCESSOR_UNKNOWN,
                &f.name,
                Some(r.line),
                Some(old),
                format!("successor `{new}` on {on} is in neither the ODS CCG file nor the ICB file; the succession is left out"),
            );
        } else {
            report.info(
                kinds::PREDECESSOR_OUT_OF_SCOPE,
                &f.name,
                Some(r.line),
                Some(new),
                format!("predecessor `{old}` (on {on}) is not a CCG, hub or ICB in the bundled files (for example a former area team or STP code); left out"),
            );
        }
    }
    // Checks against the ODS open and close dates.
    let mut out_count: FxHashMap<&str, usize> = FxHashMap::default();
    for r in &kept {
        *out_count.entry(r.old.as_str()).or_default() += 1;
    }
    for r in &kept {
        if let Some(o) = orgs.get(&r.old) {
            let expected = o.close.map(next_day);
            if expected != Some(r.on) {
                report.warn(
                    kinds::SUCCESSION_DATE_MISMATCH,
                    &f.name,
                    Some(r.line),
                    Some(&r.old),
                    format!(
                        "succeeded by {} on {}, but the ODS CCG file has it {}",
                        r.new,
                        r.on,
                        match o.close {
                            Some(c) => format!("closing on {c}"),
                            None => "still open".into(),
                        }
                    ),
                );
            }
            if o.is_ccg() && out_count.get(r.old.as_str()).copied().unwrap_or(0) > 1 {
                report.warn(
                    kinds::SUCCESSOR_AMBIGUOUS,
                    &f.name,
                    Some(r.line),
                    Some(&r.old),
                    "a CCG with more than one successor: its practices cannot be followed without a practice-level record",
                );
            }
        }
        if let Some(n) = orgs.get(&r.new) {
            if n.open > r.on {
                report.warn(
                    kinds::SUCCESSION_DATE_MISMATCH,
                    &f.name,
                    Some(r.line),
                    Some(&r.new),
                    format!(
                        "successor opens on {} after the succession on {}",
                        n.open, r.on
                    ),
                );
            } else if n.open < r.on && n.is_ccg() {
                report.info(
                    kinds::SUCCESSOR_OPENED_EARLY,
                    &f.name,
                    Some(r.line),
                    Some(&r.new),
                    format!(
                        "successor's ODS record opens on {}, before the merger takes effect on {}: it is a CCG with no member practices until then",
                        n.open, r.on
                    ),
                );
            }
        }
    }
    kept
}

pub(crate) fn reshape(
    rows: &[SuccRow],
    icbs: &BTreeMap<String, crate::bodies::IcbRow>,
    file: &str,
    allocations_file: &str,
    report: &mut QualityReport,
) -> Reshape {
    let mut rs = Reshape::default();
    for r in rows.iter().filter(|r| icbs.contains_key(&r.old)) {
        if r.on <= ICB_START {
            // A pre-2022 STP code change is not an ICB reshape.
            continue;
        }
        let end = rs.closing.entry(r.old.clone()).or_insert(r.on);
        *end = (*end).min(r.on);
        rs.successors
            .entry(r.old.clone())
            .or_default()
            .push(r.new.clone());
        if !icbs.contains_key(&r.new) {
            rs.new_bodies.entry(r.new.clone()).or_insert(r.on);
        }
    }
    for (old, succ) in &rs.successors {
        let on = rs.closing.get(old).copied().unwrap_or(ICB_START);
        let known_names: Vec<String> = succ
            .iter()
            .map(|s| {
                if icbs.contains_key(s) {
                    format!("{s} (an existing ICB)")
                } else {
                    format!("{s} (a new code, name unknown)")
                }
            })
            .collect();
        report.warn(
            kinds::LATER_RESHAPE,
            file,
            None,
            Some(old),
            format!(
                "the successor file ends {old} on {on} with successor(s) {}. Known: the codes and the date. Not known from the bundled files: the new bodies' names, and {}",
                known_names.join(", "),
                if succ.len() > 1 {
                    format!("which of its sub-ICB locations went to which successor (the register takes that from the curated table {}, whose rows cite the public documents)", allocations_file)
                } else {
                    "whether any of its sub-ICB locations changed (taken to move with it)".to_string()
                }
            ),
        );
    }
    rs
}

fn names_of(reg: &Register, codes: &[String], on: Date) -> Vec<String> {
    codes
        .iter()
        .map(|c| {
            reg.body_near(c, on)
                .map(|b| reg.body(b).name.clone())
                .unwrap_or_else(|| c.clone())
        })
        .collect()
}

fn lines(rows: &[&SuccRow]) -> String {
    let l: Vec<String> = rows.iter().map(|r| r.line.to_string()).collect();
    l.join(", ")
}

/// Adds successions and merger instruments.
pub(crate) fn add_lineage(ctx: &mut Ctx, rows: &[SuccRow]) {
    let succ_file = ctx.files.succ.clone();
    let eccg_file = ctx.files.eccg.clone();
    for r in rows {
        ctx.register.add_succession(Succession {
            from: r.old.clone(),
            to: r.new.clone(),
            on: r.on,
        });
    }
    let mut out_count: FxHashMap<&str, usize> = FxHashMap::default();
    for r in rows {
        *out_count.entry(r.old.as_str()).or_default() += 1;
    }

    // CCG mergers, grouped by receiver and date.
    let mut groups: BTreeMap<(Date, String), Vec<&SuccRow>> = BTreeMap::new();
    for r in rows {
        let both_ccgs = ctx.orgs.get(&r.old).is_some_and(OdsOrg::is_ccg)
            && ctx.orgs.get(&r.new).is_some_and(OdsOrg::is_ccg);
        if both_ccgs && out_count.get(r.old.as_str()) == Some(&1) && r.on < ICB_START {
            groups.entry((r.on, r.new.clone())).or_default().push(r);
        }
    }
    for ((on, new), group) in &groups {
        let preds: Vec<String> = group.iter().map(|r| r.old.clone()).collect();
        let pred_names = names_of(&ctx.register, &preds, on.yesterday().unwrap_or(*on));
        let new_name = names_of(&ctx.register, std::slice::from_ref(new), *on).join("");
        let flags: BTreeSet<&str> = group.iter().map(|r| r.flag.as_str()).collect();
        let mut i = Instrument::new(format!("ods-merge-{new}-{on}"), InstrumentKind::Merge, *on);
        i.title = format!("{} merge into {new_name}", pred_names.join(", ")).into();
        i.maker = Some("X24".into());
        i.terms_mut().basis = Some(CCG_MERGER_BASIS.into());
        i.terms_mut().receivers = Receivers::Bodies(vec![new.clone()]);
        i.particulars_mut().predecessors = preds;
        i.terms_mut().source = Some(format!(
            "ODS successor file ({succ_file} lines {}; flag column {}), with open and close dates from the ODS CCG file ({eccg_file}). The merger date is the successor file's effective date",
            lines(group),
            flags.into_iter().collect::<Vec<_>>().join("/")
        ));
        ctx.register.add_instrument(i);
    }

    // 2022-07-01: each ICB receives the CCGs whose sub-ICB location sits in it.
    let mut by_icb: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (code, org) in &ctx.orgs {
        let Some(&ccg) = ctx.ccg_body.get(code) else {
            continue;
        };
        if org.role == crate::bodies::OrgRole::SubIcb
            && ctx.register.body(ccg).life.until == Some(ICB_START)
            && ctx.sub_icb_body.contains_key(code)
            && ctx.icb_body.contains_key(&org.parent)
        {
            by_icb
                .entry(org.parent.clone())
                .or_default()
                .push(code.clone());
        }
    }
    for (icb, ccgs) in &by_icb {
        for c in ccgs {
            ctx.register.add_succession(Succession {
                from: c.clone(),
                to: icb.clone(),
                on: ICB_START,
            });
        }
        let icb_name = names_of(&ctx.register, std::slice::from_ref(icb), ICB_START).join("");
        let day_before = ICB_START.yesterday().unwrap_or(ICB_START);
        let mut i = Instrument::new(format!("hca2022-{icb}"), InstrumentKind::Merge, ICB_START);
        i.title = format!(
            "{icb_name} established; {} abolished, property and liabilities transferred",
            names_of(&ctx.register, ccgs, day_before).join(", ")
        )
        .into();
        i.maker = Some("PARLIAMENT".into());
        i.terms_mut().basis = Some(ICB_TRANSITION_BASIS.into());
        i.terms_mut().receivers = Receivers::Bodies(vec![icb.clone()]);
        i.particulars_mut().predecessors = ccgs.clone();
        i.terms_mut().source = Some(format!(
            "Health and Care Act 2022; predecessors are the CCGs whose codes continue as sub-ICB locations of {icb} in the ODS CCG file ({eccg_file}, column 3: the parent as recorded in that release, taken to hold from 2022-07-01). The successor file has no rows for this date because the codes continued"
        ));
        ctx.register.add_instrument(i);
    }

    // Later ICB reshapes: a merger only where every predecessor went wholly to the successor.
    let mut reshape_groups: BTreeMap<(Date, String), Vec<&SuccRow>> = BTreeMap::new();
    for r in rows {
        if ctx.reshape.closing.contains_key(&r.old) && out_count.get(r.old.as_str()) == Some(&1) {
            reshape_groups
                .entry((r.on, r.new.clone()))
                .or_default()
                .push(r);
        }
    }
    for ((on, new), group) in &reshape_groups {
        let preds: Vec<String> = group.iter().map(|r| r.old.clone()).collect();
        let partial: Vec<String> = ctx
            .reshape
            .successors
            .iter()
            .filter(|(_, s)| s.len() > 1 && s.contains(new))
            .map(|(old, _)| old.clone())
            .collect();
        let day_before = on.yesterday().unwrap_or(*on);
        let mut i = Instrument::new(
            format!("ods-reshape-{new}-{on}"),
            InstrumentKind::Merge,
            *on,
        );
        i.title = format!(
            "{} succeeded by {new}",
            names_of(&ctx.register, &preds, day_before).join(", ")
        )
        .into();
        i.maker = Some("X24".into());
        i.terms_mut().basis = Some(ICB_RESHAPE_BASIS.into());
        i.terms_mut().receivers = Receivers::Bodies(vec![new.clone()]);
        i.particulars_mut().predecessors = preds;
        let parts: Vec<String> = partial
            .iter()
            .map(|old| {
                let placed: Vec<String> = ctx
                    .allocations
                    .rows
                    .iter()
                    .filter(|a| &a.icb == old && &a.successor == new && a.on == *on)
                    .map(|a| match a.moves {
                        Moves::SubIcb => format!("sub-ICB location {} (line {})", a.place, a.line),
                        Moves::PracticesOf => {
                            format!("the practices of former CCG {} (line {})", a.place, a.line)
                        }
                        Moves::Practice => format!("practice {} (line {})", a.place, a.line),
                    })
                    .collect();
                if placed.is_empty() {
                    format!("{old} (which part is not in the bundled files)")
                } else {
                    format!("{old}: {}", placed.join(", "))
                }
            })
            .collect();
        i.terms_mut().source = Some(format!(
            "ODS successor file ({succ_file} lines {}).{} Uncertain: the order, the successor's name and its exact footprint are not in the bundled files",
            lines(group),
            if partial.is_empty() {
                String::new()
            } else {
                format!(
                    " {new} also takes part of {} (split ICBs, not modelled as mergers). Which part is not in the bundled ODS files either; the register takes it from the curated table {}, each row citing the public documents that name the new footprints.",
                    parts.join("; "),
                    ctx.allocations.file
                )
            }
        ));
        ctx.register.add_instrument(i);
    }
}

/// What became of an old commissioner code by the date it is mapped onto.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapStatus {
    /// The code itself is in use on the date.
    Open,
    /// One other body carries it on the date.
    Succeeded,
    /// More than one body carries part of it on the date.
    Split,
    /// It ended with no successor.
    Closed,
    /// It opens after the date.
    NotYetOpen,
}

impl MapStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MapStatus::Open => "open",
            MapStatus::Succeeded => "succeeded",
            MapStatus::Split => "split",
            MapStatus::Closed => "closed",
            MapStatus::NotYetOpen => "not-yet-open",
        }
    }
}

/// One old code on the map, with what became of it.
#[derive(Debug, Clone)]
pub struct MapLine {
    pub status: MapStatus,
    /// The old code and the body carrying it on the date (one line per carrier of a split
    /// code); for a code closed or not yet open, only the old code's own fields are filled
    /// and the path is the code alone.
    pub row: vires_core::lineage::MapRow,
}

/// The analyst's map behind `vires map --to DATE`: every commissioner code ever known,
/// mapped onto the bodies that carry it on `on` (via [`vires_core::lineage::map_to`]),
/// each with its [`MapStatus`], then the codes that map leaves out (closed, or not open
/// yet). Data only: the adapters write it as CSV.
pub fn map_lines(reg: &Register, on: Date) -> Vec<MapLine> {
    let rows = vires_core::lineage::map_to(reg, on);
    let mut per_code: FxHashMap<String, usize> = FxHashMap::default();
    for r in &rows {
        *per_code.entry(r.old_code.clone()).or_default() += 1;
    }
    let mapped: BTreeSet<String> = rows.iter().map(|r| r.old_code.clone()).collect();
    let mut lines: Vec<MapLine> = rows
        .into_iter()
        .map(|row| {
            let status = if per_code.get(row.old_code.as_str()).copied().unwrap_or(0) > 1 {
                MapStatus::Split
            } else if row.code == row.old_code {
                MapStatus::Open
            } else {
                MapStatus::Succeeded
            };
            MapLine { status, row }
        })
        .collect();
    // Codes the core map leaves out: closed with no successor, or not open yet.
    let mut rest: BTreeSet<&str> = BTreeSet::new();
    for b in &reg.bodies {
        if matches!(
            b.kind,
            BodyKind::Ccg | BodyKind::Icb | BodyKind::SubIcbLocation | BodyKind::CommissioningHub
        ) && !mapped.contains(b.code.as_str())
        {
            rest.insert(b.code.as_str());
        }
    }
    for code in rest {
        let Some(&first) = reg.bodies_with_code(code).first() else {
            continue;
        };
        let b = reg.body(first);
        let status = if b.life.from > on {
            MapStatus::NotYetOpen
        } else {
            MapStatus::Closed
        };
        lines.push(MapLine {
            status,
            row: vires_core::lineage::MapRow {
                old_code: code.to_string(),
                old_name: b.name.to_string(),
                old_kind: b.kind.as_str().to_string(),
                on,
                code: String::new(),
                name: String::new(),
                kind: String::new(),
                icb_code: None,
                icb_name: None,
                path: vec![code.to_string()],
            },
        });
    }
    lines
}
