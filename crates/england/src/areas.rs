//! Local authority districts as named areas, from the ONS CCG (April 2021) to district lookup.
//!
//! The bundled data has no practice-to-district mapping, so a district's area is the union
//! of the footprints of the CCGs (April 2021) that overlap it. That over-covers districts that
//! share a CCG with a neighbour, and each area's note says so.

use crate::ods::{self, SourceFile};
use crate::quality::{kinds, QualityReport};
use crate::Ctx;
use std::collections::BTreeMap;
use vires_core::register::NamedArea;
use vires_core::AreaExpr;

pub(crate) const LAD_NOTE: &str = "Approximation: the union of the footprints of the CCGs (April 2021 boundaries) that overlap this district, from the ONS CCG to local authority district lookup. The bundled data maps no practice to a district, so the area may include practices outside the district where a CCG spans several districts";

/// One row of the CCG to district lookup: a CCG (April 2021) and a district it overlaps.
pub(crate) struct LookupRow {
    pub ccg: String,
    pub district: String,
    pub district_name: String,
}

/// Reads the CCG to district lookup; rows without codes, or naming a CCG the ODS files do
/// not have, are reported and left out.
pub(crate) fn read_lookup(ctx: &mut Ctx, f: &SourceFile) -> Vec<LookupRow> {
    let mut report = std::mem::take(&mut ctx.report);
    let rows = lookup_rows(ctx, f, &mut report);
    ctx.report = report;
    rows
}

fn lookup_rows(ctx: &Ctx, f: &SourceFile, report: &mut QualityReport) -> Vec<LookupRow> {
    let (head, rows) = ods::rows(f, true, report);
    let head = head.unwrap_or_default();
    let find = |pre: &str, suf: &str| ods::column_like(&head, pre, suf);
    let (Some(ccg), Some(lad), Some(lad_name)) =
        (find("CCG", "CDH"), find("LAD", "CD"), find("LAD", "NM"))
    else {
        report.warn(
            kinds::MISSING_COLUMN,
            &f.name,
            Some(1),
            None,
            format!(
                "expected CCGyyCDH, LADyyCD and LADyyNM columns; header is {}: no district areas built",
                head.join(",")
            ),
        );
        return Vec::new();
    };
    let Some(cols) = ods::columns_or_warn(f, &head, &[&ccg, &lad, &lad_name], report) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for r in rows {
        let (c, l, ln) = (r.get(cols[0]), r.get(cols[1]), r.get(cols[2]));
        if c.is_empty() || l.is_empty() {
            report.reject(
                kinds::MISSING_CODE,
                &f.name,
                r.line,
                None,
                "row without a CCG or district code",
            );
            continue;
        }
        if ctx.register.bodies_with_code(c).is_empty() {
            report.reject(
                kinds::UNKNOWN_CCG,
                &f.name,
                r.line,
                Some(c),
                format!("CCG `{c}` for district {l} is not in the ODS CCG file"),
            );
            continue;
        }
        out.push(LookupRow {
            ccg: c.to_string(),
            district: l.to_string(),
            district_name: ln.to_string(),
        });
    }
    out
}

/// Builds each district as a named area from the lookup's rows; returns how many.
pub(crate) fn add_lads(ctx: &mut Ctx, rows: &[LookupRow], file: &str) -> usize {
    let mut districts: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for r in rows {
        let entry = districts
            .entry(r.district.clone())
            .or_insert_with(|| (r.district_name.clone(), Vec::new()));
        if !entry.1.contains(&r.ccg) {
            entry.1.push(r.ccg.clone());
        }
    }
    let n = districts.len();
    for (id, (name, ccgs)) in districts {
        let expr = if ccgs.len() == 1 {
            AreaExpr::Footprint(ccgs[0].as_str().into())
        } else {
            AreaExpr::Union(
                ccgs.iter()
                    .map(|c| AreaExpr::Footprint(c.as_str().into()))
                    .collect(),
            )
        };
        ctx.register.add_area(NamedArea {
            id,
            name,
            expr,
            note: Some(format!("{LAD_NOTE} ({file}).")),
            approximate: true,
        });
    }
    if n > 0 {
        ctx.report.info(
            kinds::AREA_APPROXIMATION,
            file,
            None,
            None,
            format!("{n} local authority districts built as unions of CCG footprints (an approximation; see each area's note)"),
        );
    }
    n
}

pub(crate) const REGION_NOTE: &str = "Approximation: the footprints of the CCGs and sub-ICB locations that the ODS eccg file places in this NHS England region (column 3, the region each code carries in that release), on whatever date is asked. NHS England's regions were reorganised over the years, so before the release's date this is the extent of today's region, not the region of the time";

/// NHS England's regions as named areas (ids such as `Y63`): each the union of the
/// footprints of the CCGs and sub-ICB locations the eccg file places in it, so that `who`
/// can be asked of a region on any date those bodies existed. Each is named from the curated
/// region names (`data/curated/nhs-regions.csv`); a code that file lacks keeps its code as
/// its name and is reported.
pub(crate) fn add_regions(ctx: &mut Ctx, file: &str) -> usize {
    let mut regions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for org in ctx.orgs.values() {
        let commissioner = matches!(
            org.role,
            crate::bodies::OrgRole::Ccg | crate::bodies::OrgRole::SubIcb
        );
        if commissioner && !org.region.is_empty() {
            regions
                .entry(org.region.clone())
                .or_default()
                .push(org.code.clone());
        }
    }
    let names = region_names(&mut ctx.report);
    let n = regions.len();
    for (id, codes) in regions {
        if ctx.register.area(&id).is_some() {
            continue;
        }
        let (name, named) = match names.get(&id) {
            Some(r) => (
                format!("NHS England {} region", r.name),
                format!(
                    " Named from {} line {} (ONS code {}): {}.",
                    crate::bundle::REGION_NAMES_FILE.0,
                    r.line,
                    r.ons_code,
                    r.evidence
                ),
            ),
            None => {
                ctx.report.warn(
                    kinds::MISSING_CODE,
                    crate::bundle::REGION_NAMES_FILE.0,
                    None,
                    Some(&id),
                    "the ODS CCG file places bodies in this NHS England region, but the region names file has no row for it: the area is named by its code",
                );
                (format!("NHS England region {id}"), String::new())
            }
        };
        ctx.register.add_area(NamedArea {
            name,
            id,
            expr: AreaExpr::Union(
                codes
                    .iter()
                    .map(|c| AreaExpr::Footprint(c.as_str().into()))
                    .collect(),
            ),
            note: Some(format!("{REGION_NOTE} ({file}).{named}")),
            approximate: true,
        });
    }
    n
}

/// One row of the region names file.
struct RegionName {
    line: u64,
    ons_code: String,
    name: String,
    evidence: String,
}

/// The curated names of NHS England's regions, by ODS code; rows missing a field are
/// rejected in the report.
fn region_names(report: &mut QualityReport) -> BTreeMap<String, RegionName> {
    let f = crate::bundle::region_names();
    let mut out = BTreeMap::new();
    let Some((cols, rows)) =
        ods::curated_rows(&f, &["code", "ons_code", "name", "evidence"], report)
    else {
        return out;
    };
    for r in rows {
        let field = |i: usize| r.get(cols[i]).to_string();
        let (code, ons_code, name, evidence) = (field(0), field(1), field(2), field(3));
        if [&code, &ons_code, &name, &evidence]
            .iter()
            .any(|s| s.is_empty())
        {
            report.reject(
                kinds::MISSING_CODE,
                &f.name,
                r.line,
                Some(code.as_str()).filter(|c| !c.is_empty()),
                "a region name needs the ODS code, the ONS code, the name and the evidence",
            );
            continue;
        }
        out.insert(
            code,
            RegionName {
                line: r.line,
                ons_code,
                name,
                evidence,
            },
        );
    }
    out
}
