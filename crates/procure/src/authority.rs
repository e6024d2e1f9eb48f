//! Contracting authorities by class: central government authorities have lower goods and
//! services thresholds than sub-central ones, and a body's class changes by instrument (NHS
//! England became a central government authority for the Public Contracts Regulations on
//! 2021-08-16, when SI 2021/872 replaced their Schedule 1). The classes are dated data with
//! their source (`data/authority_classes.csv`).

use crate::ProcureError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const CLASSES_CSV: &str = include_str!("../data/authority_classes.csv");

/// The class of contracting authority a threshold applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthorityClass {
    /// Listed as a central government authority (the lower thresholds).
    Central,
    /// Every other contracting authority.
    SubCentral,
    /// A threshold that is the same for every class (the light touch regime's).
    All,
}

impl AuthorityClass {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorityClass::Central => "central",
            AuthorityClass::SubCentral => "sub-central",
            AuthorityClass::All => "all",
        }
    }
}

/// One row of `data/authority_classes.csv`: the class of a kind of body for procurements
/// begun in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassRow {
    pub body_kind: String,
    pub class: AuthorityClass,
    pub from: Date,
    pub until: Option<Date>,
    pub confirmed: bool,
    pub source: String,
}

/// A commissioner as a contracting authority, with its class on the date the procurement
/// began and where that comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractingAuthority {
    pub body: String,
    pub kind: String,
    /// Absent when the data has no class for this kind of body on the date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<AuthorityClass>,
    pub confirmed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

static CLASSES: OnceLock<Result<Vec<ClassRow>, String>> = OnceLock::new();

/// The bundled classes.
pub fn classes() -> Result<&'static [ClassRow], ProcureError> {
    CLASSES
        .get_or_init(|| crate::read_csv(CLASSES_CSV))
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|e| ProcureError::Data(format!("authority_classes.csv: {e}")))
}

/// The class of a `kind` of body (as `BodyKind::as_str` spells it) for a procurement begun on
/// `on`.
pub fn class_of(kind: &str, on: Date) -> Result<Option<&'static ClassRow>, ProcureError> {
    Ok(classes()?
        .iter()
        .find(|r| r.body_kind == kind && on >= r.from && r.until.is_none_or(|u| on < u)))
}

/// The class whose threshold governs a procurement by these authorities: central when any of
/// them is central (the lower threshold binds the procurement they run together), sub-central
/// when all are; none when any class is unknown.
pub fn governing(authorities: &[ContractingAuthority]) -> Option<AuthorityClass> {
    let mut out = AuthorityClass::SubCentral;
    for a in authorities {
        match a.class? {
            AuthorityClass::Central => out = AuthorityClass::Central,
            AuthorityClass::SubCentral | AuthorityClass::All => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn nhs_england_is_central_from_2021_08_16() {
        // SI 2021/872 came into force on 16 August 2021 (reg 1(1)).
        let before = class_of("nhs-england", date(2021, 8, 15)).unwrap().unwrap();
        let after = class_of("nhs-england", date(2021, 8, 16)).unwrap().unwrap();
        assert_eq!(before.class, AuthorityClass::SubCentral);
        assert_eq!(after.class, AuthorityClass::Central);
        assert!(after.source.contains("SI 2021/872"));
        let icb = class_of("icb", date(2023, 6, 1)).unwrap().unwrap();
        assert_eq!(icb.class, AuthorityClass::SubCentral);
        let ccg = class_of("ccg", date(2016, 6, 1)).unwrap().unwrap();
        assert_eq!(ccg.class, AuthorityClass::SubCentral);
    }

    #[test]
    fn every_row_cites_a_source_and_rows_of_a_kind_do_not_overlap() {
        let rows = classes().unwrap();
        for r in rows {
            assert!(!r.source.trim().is_empty(), "{r:?}");
            assert!(r.until.is_none_or(|u| u > r.from), "{r:?}");
            for s in rows {
                if std::ptr::eq(r, s) || r.body_kind != s.body_kind {
                    continue;
                }
                let far = date(9999, 1, 1);
                let overlap = r.from < s.until.unwrap_or(far) && s.from < r.until.unwrap_or(far);
                assert!(!overlap, "{r:?} / {s:?}");
            }
        }
    }
}
