//! The registry of powers: which kinds of body may make which kinds of instrument,
//! under which legal basis, on which dates.

use crate::model::body::BodyKind;
use crate::model::instrument::InstrumentKind;
use crate::model::interval::Interval;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Power {
    /// Short id, e.g. `nhs-act-2006-s13Z`.
    pub id: String,
    pub title: String,
    /// Phrases that, found in an instrument's basis, cite this power ("s.13Z", "section 13Z").
    pub cites: Vec<String>,
    pub makers: Vec<BodyKind>,
    pub kinds: Vec<InstrumentKind>,
    /// Kinds of body that may receive; empty means any.
    #[serde(default)]
    pub receivers: Vec<BodyKind>,
    pub during: Interval,
    /// Where the power comes from, for the user to check.
    pub source: String,
}

impl Power {
    /// Does `basis` cite this power? A citation must not run on into more letters or digits,
    /// so "s.13Z" is not cited by "s.13ZA".
    pub fn cited_by(&self, basis: &str) -> bool {
        !self.cites_in(basis).is_empty()
    }

    /// Which of this power's citations `basis` makes, normalised ("nhs act 2006 s.13z").
    pub fn cites_in(&self, basis: &str) -> Vec<String> {
        let basis = normalise(basis);
        self.cites
            .iter()
            .map(|c| normalise(c))
            .filter(|c| {
                let mut start = 0;
                while let Some(pos) = basis[start..].find(c.as_str()) {
                    let end = start + pos + c.len();
                    let next = basis[end..].chars().next();
                    if !next.is_some_and(|ch| ch.is_ascii_alphanumeric()) {
                        return true;
                    }
                    start = start + pos + 1;
                }
                false
            })
            .collect()
    }
}

fn normalise(s: &str) -> String {
    s.to_ascii_lowercase()
        .replace("section ", "s.")
        .replace("s. ", "s.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn citation_boundaries() {
        let p = Power {
            id: "s13Z".into(),
            title: String::new(),
            cites: vec!["s.13Z".into()],
            makers: vec![],
            kinds: vec![],
            receivers: vec![],
            during: Interval::new(date(2013, 4, 1), None),
            source: String::new(),
        };
        assert!(p.cited_by("NHS Act 2006 s.13Z"));
        assert!(p.cited_by("NHS Act 2006 section 13Z(1)"));
        assert!(!p.cited_by("NHS Act 2006 s.13ZA"));
    }
}
