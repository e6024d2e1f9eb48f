//! Bodies from the ODS CCG file and the ONS ICB file: CCGs with their open and close dates,
//! sub-ICB locations (the CCG codes continued inside ICBs from 2022-07-01), ICBs,
//! commissioning hubs and sub-ICB reporting entities, with their historic names.

use crate::ods::{self, next_day, parse_date, tidy_name, Row, SourceFile};
use crate::quality::{kinds, QualityReport};
use crate::{Ctx, ImportError, ICB_START};
use jiff::civil::{date, Date};
use std::collections::BTreeMap;
use vires_core::{Body, BodyId, BodyKind, Interval};

/// What an ODS CCG-file row is, from its role column (13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrgRole {
    /// Blank role: a CCG that closed before 2022-07-01.
    Ccg,
    /// RO319: a CCG whose record continued as a sub-ICB location on 2022-07-01.
    SubIcb,
    /// RO218: an NHS England commissioning hub.
    Hub,
    /// RO327: a sub-ICB reporting entity.
    Reporting,
}

#[derive(Debug, Clone)]
pub(crate) struct OdsOrg {
    pub code: String,
    pub raw_name: String,
    pub region: String,
    pub parent: String,
    pub open: Date,
    /// Last day open.
    pub close: Option<Date>,
    pub role: OrgRole,
    pub line: u64,
}

impl OdsOrg {
    /// Was it a CCG at some time (as opposed to a hub or a reporting entity)?
    pub fn is_ccg(&self) -> bool {
        matches!(self.role, OrgRole::Ccg | OrgRole::SubIcb)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct IcbRow {
    pub code: String,
    pub name: String,
    pub ons: String,
    pub line: u64,
}

/// A historic CCG name from an ONS reference file.
#[derive(Debug, Clone)]
pub(crate) struct RefName {
    /// The date the reference list describes.
    pub on: Date,
    pub name: String,
    pub ons: String,
    pub file: String,
}

/// ODS code to its historic names, newest reference first.
pub(crate) type Names = BTreeMap<String, Vec<RefName>>;

/// The date an ONS CCG reference file describes, from the year in its header (`CCG21CD` is April 2021).
fn reference_date(header: &[String]) -> Option<(Date, String)> {
    for h in header {
        let u = h.to_ascii_uppercase();
        if u.len() == 7 && u.starts_with("CCG") && u.ends_with("CD") {
            let yy: i16 = u[3..5].parse().ok()?;
            return Some((date(2000 + yy, 4, 1), u[..5].to_string()));
        }
    }
    None
}

pub(crate) fn read_names(files: &[SourceFile], report: &mut QualityReport) -> Names {
    let mut names: Names = BTreeMap::new();
    for f in files {
        let (head, rows) = ods::rows(f, true, report);
        let head = head.unwrap_or_default();
        let Some((on, stem)) = reference_date(&head) else {
            report.warn(
                kinds::MISSING_COLUMN,
                &f.name,
                Some(1),
                None,
                format!(
                    "no CCGyyCD column in the header ({}); file skipped",
                    head.join(",")
                ),
            );
            continue;
        };
        let wanted = [
            format!("{stem}CD"),
            format!("{stem}CDH"),
            format!("{stem}NM"),
        ];
        let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
        let Some(cols) = ods::columns_or_warn(f, &head, &wanted, report) else {
            continue;
        };
        for r in rows {
            let (ons, code, name) = (r.get(cols[0]), r.get(cols[1]), r.get(cols[2]));
            if code.is_empty() || name.is_empty() {
                report.reject(
                    kinds::MISSING_CODE,
                    &f.name,
                    r.line,
                    None,
                    "row without an ODS code or a name",
                );
                continue;
            }
            names.entry(code.to_string()).or_default().push(RefName {
                on,
                name: name.to_string(),
                ons: ons.to_string(),
                file: f.name.clone(),
            });
        }
    }
    for v in names.values_mut() {
        v.sort_by_key(|n| std::cmp::Reverse(n.on));
    }
    names
}

fn row_date(
    r: &Row,
    col: usize,
    what: &str,
    file: &str,
    code: &str,
    report: &mut QualityReport,
) -> Result<Option<Date>, ()> {
    parse_date(r.get(col)).map_err(|e| {
        report.reject(
            kinds::BAD_DATE,
            file,
            r.line,
            Some(code),
            format!("{what} date: {e}"),
        )
    })
}

/// Reads the ODS CCG file. Rows with bad dates, no code, an unknown role or a duplicate
/// code are reported and left out.
pub(crate) fn read_eccg(f: &SourceFile, report: &mut QualityReport) -> BTreeMap<String, OdsOrg> {
    let (_, rows) = ods::rows(f, false, report);
    let mut orgs = BTreeMap::new();
    let mut saw_ro326 = false;
    for r in rows {
        let layout = "the ODS CCG file has 27 (code in 0, dates in 10 and 11, role in 13)";
        if !r.has_columns(14, 0, &f.name, layout, report) {
            continue;
        }
        let code = r.get(0);
        if code.is_empty() {
            report.reject(
                kinds::MISSING_CODE,
                &f.name,
                r.line,
                None,
                "no ODS code in column 0",
            );
            continue;
        }
        let Ok(open) = row_date(&r, 10, "open", &f.name, code, report) else {
            continue;
        };
        let Some(open) = open else {
            report.reject(
                kinds::BAD_DATE,
                &f.name,
                r.line,
                Some(code),
                "no open date in column 10",
            );
            continue;
        };
        let Ok(close) = row_date(&r, 11, "close", &f.name, code, report) else {
            continue;
        };
        if close.is_some_and(|c| c < open) {
            report.reject(
                kinds::DATES_BACKWARDS,
                &f.name,
                r.line,
                Some(code),
                format!(
                    "closes on {} before it opens on {open}",
                    close.map(|c| c.to_string()).unwrap_or_default()
                ),
            );
            continue;
        }
        let role_text = r.get(13);
        let roles: Vec<&str> = role_text.split('|').map(str::trim).collect();
        let role = if role_text.is_empty() {
            OrgRole::Ccg
        } else if roles.contains(&"RO319") {
            if roles.contains(&"RO326") {
                saw_ro326 = true;
            }
            OrgRole::SubIcb
        } else if roles.contains(&"RO218") {
            OrgRole::Hub
        } else if roles.contains(&"RO327") {
            OrgRole::Reporting
        } else {
            report.reject(
                kinds::UNKNOWN_ROLE,
                &f.name,
                r.line,
                Some(code),
                format!("role `{role_text}` is none of blank (closed CCG), RO319, RO218, RO327"),
            );
            continue;
        };
        if orgs.contains_key(code) {
            report.reject(
                kinds::DUPLICATE_CODE,
                &f.name,
                r.line,
                Some(code),
                "code already read from an earlier row; the earlier row is kept",
            );
            continue;
        }
        orgs.insert(
            code.to_string(),
            OdsOrg {
                code: code.to_string(),
                raw_name: r.get(1).to_string(),
                region: r.get(2).to_string(),
                parent: r.get(3).to_string(),
                open,
                close,
                role,
                line: r.line,
            },
        );
    }
    if saw_ro326 {
        report.info(
            kinds::UNKNOWN_ROLE,
            &f.name,
            None,
            None,
            "some sub-ICB locations also carry role RO326; its meaning is not described in the bundled files, so those rows are read as RO319 (sub-ICB location)",
        );
    }
    orgs
}

/// Reads the ONS ICB file (a header with ICByyCD, ICByyCDH, ICByyNM).
pub(crate) fn read_icbs(
    f: &SourceFile,
    report: &mut QualityReport,
) -> Result<BTreeMap<String, IcbRow>, ImportError> {
    let (head, rows) = ods::rows(f, true, report);
    let head = head.unwrap_or_default();
    let find = |suffix: &str| ods::column_like(&head, "ICB", suffix);
    let wanted: Vec<String> = ["CD", "CDH", "NM"]
        .iter()
        .map(|s| find(s).unwrap_or_else(|| format!("ICByy{s}")))
        .collect();
    let wanted_refs: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let cols = ods::columns(f, Some(&head), &wanted_refs)?;
    let mut icbs = BTreeMap::new();
    for r in rows {
        let (ons, code, name) = (r.get(cols[0]), r.get(cols[1]), r.get(cols[2]));
        if code.is_empty() {
            report.reject(kinds::MISSING_CODE, &f.name, r.line, None, "no ODS code");
            continue;
        }
        if icbs.contains_key(code) {
            report.reject(
                kinds::DUPLICATE_CODE,
                &f.name,
                r.line,
                Some(code),
                "ICB code already read from an earlier row",
            );
            continue;
        }
        icbs.insert(
            code.to_string(),
            IcbRow {
                code: code.to_string(),
                name: if name.is_empty() {
                    format!("Integrated care board {code}")
                } else {
                    name.to_string()
                },
                ons: ons.to_string(),
                line: r.line,
            },
        );
    }
    Ok(icbs)
}

pub(crate) const CCG_BASIS: &str = "NHS Act 2006 Chapter A2 (ss.14A-14D, inserted by the Health and Social Care Act 2012 s.25): CCG established by NHS England on application";
pub(crate) const ICB_BASIS: &str = "NHS Act 2006 s.14Z25 (inserted by the Health and Care Act 2022 s.19): ICB established by NHS England order, in force 2022-07-01";
pub(crate) const SUB_ICB_BASIS: &str = "Not a legal person: an ICB's place, keeping the former CCG code (ODS role RO319) from 2022-07-01";
pub(crate) const HUB_BASIS: &str =
    "Not a legal person: an NHS England commissioning hub (ODS role RO218)";
pub(crate) const REPORTING_BASIS: &str =
    "Not a legal person: a sub-ICB reporting entity of an ICB (ODS role RO327)";

/// The name a CCG had during `life`: the newest ONS reference list dated inside its life,
/// else the tidied ODS name (reported, since the ODS name is today's).
fn ccg_name(
    org: &OdsOrg,
    life: &Interval,
    names: &Names,
    file: &str,
    report: &mut QualityReport,
) -> (String, Option<String>, String) {
    if let Some(n) = names
        .get(&org.code)
        .and_then(|v| v.iter().find(|n| life.contains(n.on)))
    {
        let src = format!("name as listed on {} in {}", n.on, n.file);
        return (n.name.clone(), Some(n.ons.clone()), src);
    }
    let ons = names
        .get(&org.code)
        .and_then(|v| v.first())
        .map(|n| n.ons.clone());
    report.info(
        kinds::NAME_FROM_ODS,
        file,
        Some(org.line),
        Some(&org.code),
        "no ONS reference list dated within this CCG's life; its name is tidied from the ODS file",
    );
    (
        tidy_name(&org.raw_name),
        ons,
        "name tidied from the ODS record (no ONS reference list within its life)".into(),
    )
}

/// Adds every body and the sub-ICB location to ICB links. ICBs closed by a later reshape
/// (see `lineage::Reshape`) end on the reshape date; their successors are added here too.
pub(crate) fn add_bodies(ctx: &mut Ctx, names: &Names) {
    let eccg = ctx.files.eccg.clone();
    let icb_file = ctx.files.icb.clone();
    // ICBs first, so sub-ICB locations can link to them.
    let icbs: Vec<IcbRow> = ctx.icbs.values().cloned().collect();
    for row in icbs {
        let until = ctx.reshape.closing.get(&row.code).copied();
        let body = Body {
            code: row.code.clone(),
            name: row.name.clone(),
            kind: BodyKind::Icb,
            life: Interval::new(ICB_START, until),
            basis: Some(ICB_BASIS.into()),
            source: Some(format!(
                "ONS ICB names and codes ({icb_file} line {}){}",
                row.line,
                match until {
                    Some(d) => format!(
                        "; closed {d} per the ODS successor file (a later reshape, see the data-quality report)"
                    ),
                    None => String::new(),
                }
            )),
            ons_code: Some(row.ons.clone()).filter(|s| !s.is_empty()),
            span: None,
        };
        if let Some(id) = add_body_of_row(ctx, body, &icb_file, row.line) {
            ctx.icb_body.insert(row.code.clone(), id);
        }
    }
    let new_icbs: Vec<(String, Date)> = ctx
        .reshape
        .new_bodies
        .iter()
        .map(|(c, d)| (c.clone(), *d))
        .collect();
    let new_names = new_icb_names(&mut ctx.report);
    for (code, from) in new_icbs {
        let (name, named) = match new_names.get(&code) {
            Some((name, line, evidence)) => (
                name.clone(),
                format!(
                    ". Named as in {} line {line}: {evidence}; the name in its establishment order is not in the bundled files",
                    names_file()
                ),
            ),
            None => (
                format!("Integrated care board {code} (from {from}; name not in the bundled files)"),
                String::new(),
            ),
        };
        let body = Body {
            code: code.clone(),
            name,
            kind: BodyKind::Icb,
            life: Interval::new(from, None),
            basis: Some(format!("{ICB_BASIS}; established by a later NHS England order (to confirm)")),
            source: Some(format!(
                "ODS successor file ({}): successor of ICBs on {from}; not in the ONS ICB list bundled (December 2024). Its footprint is taken to be the sub-ICB locations of the ICBs it succeeds alone, and the places of split ICBs that {} gives it (each row citing its public evidence){named}",
                ctx.files.succ,
                ctx.allocations.file
            )),
            ons_code: None,
            span: None,
        };
        match ctx.register.add_body(body) {
            Ok(id) => {
                ctx.icb_body.insert(code, id);
            }
            Err(e) => ctx.report.warn(
                kinds::OVERLAPPING_DATES,
                &ctx.files.succ.clone(),
                None,
                Some(&code),
                e.to_string(),
            ),
        }
    }

    let orgs: Vec<OdsOrg> = ctx.orgs.values().cloned().collect();
    for org in orgs {
        let end = org.close.map(next_day);
        let src = format!("ODS CCG file ({eccg} line {})", org.line);
        match org.role {
            OrgRole::Ccg | OrgRole::SubIcb => {
                let ccg_until = if org.role == OrgRole::SubIcb {
                    Some(end.map_or(ICB_START, |e| e.min(ICB_START)))
                } else {
                    end
                };
                if ccg_until.is_none_or(|u| u > org.open) {
                    let life = Interval::new(org.open, ccg_until);
                    let (name, ons, name_src) =
                        ccg_name(&org, &life, names, &eccg, &mut ctx.report);
                    if org.role == OrgRole::Ccg && end.is_some_and(|e| e > ICB_START) {
                        ctx.report.warn(
                            kinds::OVERLAPPING_DATES,
                            &eccg,
                            Some(org.line),
                            Some(&org.code),
                            "a CCG without the sub-ICB location role is open after 2022-07-01, when CCGs were abolished; kept as the ODS file says",
                        );
                    }
                    let body = Body {
                        code: org.code.clone(),
                        name,
                        kind: BodyKind::Ccg,
                        life,
                        basis: Some(CCG_BASIS.into()),
                        source: Some(format!("{src}; {name_src}")),
                        ons_code: ons,
                        span: None,
                    };
                    if let Some(id) = add_body_of_row(ctx, body, &eccg, org.line) {
                        ctx.ccg_body.insert(org.code.clone(), id);
                    }
                }
                if org.role == OrgRole::SubIcb {
                    add_sub_icb(ctx, &org, end, &src);
                }
            }
            OrgRole::Hub | OrgRole::Reporting => {
                let (kind, basis) = if org.role == OrgRole::Hub {
                    (BodyKind::CommissioningHub, HUB_BASIS)
                } else {
                    (BodyKind::ReportingEntity, REPORTING_BASIS)
                };
                let body = Body {
                    code: org.code.clone(),
                    name: tidy_name(&org.raw_name),
                    kind,
                    life: Interval::new(org.open, end),
                    basis: Some(basis.into()),
                    source: Some(format!("{src}; name tidied from the ODS record")),
                    ons_code: None,
                    span: None,
                };
                let added = add_body_of_row(ctx, body, &eccg, org.line);
                if let Some(id) = added.filter(|_| org.role == OrgRole::Reporting) {
                    link_to_icb(ctx, &org, id, Interval::new(org.open, end));
                }
            }
        }
    }
}

fn add_sub_icb(ctx: &mut Ctx, org: &OdsOrg, end: Option<Date>, src: &str) {
    let from = org.open.max(ICB_START);
    if end.is_some_and(|e| e <= from) {
        ctx.report.warn(
            kinds::OVERLAPPING_DATES,
            &ctx.files.eccg.clone(),
            Some(org.line),
            Some(&org.code),
            "has the sub-ICB location role but closed before 2022-07-01; no sub-ICB location body made",
        );
        return;
    }
    let life = Interval::new(from, end);
    let body = Body {
        code: org.code.clone(),
        name: tidy_name(&org.raw_name),
        kind: BodyKind::SubIcbLocation,
        life,
        basis: Some(SUB_ICB_BASIS.into()),
        source: Some(format!(
            "{src}; name tidied from the ODS record (today's name)"
        )),
        ons_code: None,
        span: None,
    };
    let eccg = ctx.files.eccg.clone();
    if let Some(id) = add_body_of_row(ctx, body, &eccg, org.line) {
        ctx.sub_icb_body.insert(org.code.clone(), id);
        link_to_icb(ctx, org, id, life);
    }
}

/// Adds the body read from line `line` of `file`, or rejects that row when the body's life
/// overlaps another's with its code.
fn add_body_of_row(ctx: &mut Ctx, body: Body, file: &str, line: u64) -> Option<BodyId> {
    let code = body.code.clone();
    match ctx.register.add_body(body) {
        Ok(id) => Some(id),
        Err(e) => {
            ctx.report.reject(
                kinds::OVERLAPPING_DATES,
                file,
                line,
                Some(&code),
                e.to_string(),
            );
            None
        }
    }
}

/// Links a sub-ICB location or reporting entity to the ICB in column 3 over `life`, and,
/// where that ICB was reshaped with a single successor, to the successor afterwards.
fn link_to_icb(ctx: &mut Ctx, org: &OdsOrg, child: vires_core::BodyId, life: Interval) {
    let eccg = ctx.files.eccg.clone();
    let Some(&icb) = ctx.icb_body.get(&org.parent) else {
        ctx.report.warn(
            kinds::UNKNOWN_PARENT,
            &eccg,
            Some(org.line),
            Some(&org.code),
            format!(
                "parent ICB `{}` (column 3) is not in the ICB file; the body is kept with no ICB, so its practices have no ICB-held functions",
                org.parent
            ),
        );
        return;
    };
    if org.region.is_empty() {
        // Nothing to record.
    } else if org.role == OrgRole::SubIcb {
        ctx.regions
            .entry(org.parent.clone())
            .or_insert_with(|| org.region.clone());
    }
    let icb_life = ctx.register.body(icb).life;
    if let Some(during) = life.intersect(&icb_life) {
        ctx.register.add_parent(child, icb, during);
    }
    let Some(icb_end) = icb_life.until else {
        return;
    };
    if !life.contains(icb_end) {
        return;
    }
    let successors = ctx
        .reshape
        .successors
        .get(&org.parent)
        .cloned()
        .unwrap_or_default();
    match successors.as_slice() {
        [only] => {
            if let Some(&next) = ctx.icb_body.get(only) {
                let during = Interval::new(icb_end, life.until);
                ctx.register.add_parent(child, next, during);
                let note = format!(
                    "{} was succeeded by {only} alone on {icb_end} (ODS successor file), so this body is taken to sit in {only} from then",
                    org.parent
                );
                append_source(&mut ctx.register, child, &note);
                ctx.report.info(
                    kinds::LATER_RESHAPE,
                    &eccg,
                    Some(org.line),
                    Some(&org.code),
                    note,
                );
            }
        }
        _ => {
            let allocated = ctx
                .allocations
                .sub_icb(&org.parent, &org.code)
                .filter(|_| org.role == OrgRole::SubIcb);
            if let Some(a) = allocated {
                if let Some(&next) = ctx.icb_body.get(&a.successor) {
                    ctx.register
                        .add_parent(child, next, Interval::new(icb_end, life.until));
                    a.uses.set(a.uses.get() + 1);
                    let note = ctx.allocations.note(a, &successors);
                    append_source(&mut ctx.register, child, &note);
                    return;
                }
            }
            if org.role == OrgRole::SubIcb {
                // Its practices are placed one by one (practices.rs), or reported there.
                ctx.split_places
                    .insert(child, (org.parent.clone(), icb_end));
            }
            if org.role == OrgRole::SubIcb && ctx.allocations.places_practices_of(&org.parent) {
                let note = format!(
                    "From {icb_end} it sits in no ICB: {} was divided on {icb_end} between {}, and this sub-ICB location with it. Its practices are placed in those ICBs one by one, by the former CCG the practice file gives them ({}); the bundled files say nothing of the sub-ICB location itself after that date",
                    org.parent,
                    successors.join(", "),
                    ctx.allocations.file
                );
                append_source(&mut ctx.register, child, &note);
                ctx.report.info(
                    kinds::RESHAPE_SPLIT,
                    &eccg,
                    Some(org.line),
                    Some(&org.code),
                    note,
                );
            } else {
                let note = format!(
                    "{} was split on {icb_end} between {}; the bundled files do not say which successor took this body, and {} does not place it, so it sits in no ICB from {icb_end} (refresh with a newer ODS CCG file to resolve)",
                    org.parent,
                    successors.join(", "),
                    ctx.allocations.file
                );
                append_source(&mut ctx.register, child, &note);
                ctx.report.warn(
                    kinds::RESHAPE_SPLIT,
                    &eccg,
                    Some(org.line),
                    Some(&org.code),
                    note,
                );
            }
        }
    }
}

/// Adds a sentence to a body's source note.
pub(crate) fn append_source(reg: &mut vires_core::Register, id: vires_core::BodyId, note: &str) {
    if let Some(b) = reg.bodies.get_mut(id.0 as usize) {
        b.source = Some(match b.source.take() {
            Some(s) if !s.is_empty() => format!("{s}. {note}"),
            _ => note.to_string(),
        });
    }
}

fn names_file() -> &'static str {
    crate::bundle::ICB_NAMES_FILE.0
}

/// The curated names of ICBs created by a reshape, by code: (name, line, evidence).
fn new_icb_names(report: &mut QualityReport) -> BTreeMap<String, (String, u64, String)> {
    let f = crate::bundle::icb_names();
    let mut out = BTreeMap::new();
    let Some((cols, rows)) = ods::curated_rows(&f, &["code", "name", "evidence"], report) else {
        return out;
    };
    for r in rows {
        let (code, name, evidence) = (r.get(cols[0]), r.get(cols[1]), r.get(cols[2]));
        if code.is_empty() || name.is_empty() || evidence.is_empty() {
            report.reject(
                kinds::MISSING_CODE,
                &f.name,
                r.line,
                Some(code).filter(|c| !c.is_empty()),
                "a name needs a code, the name and the evidence",
            );
            continue;
        }
        out.insert(
            code.to_string(),
            (name.to_string(), r.line, evidence.to_string()),
        );
    }
    out
}
