//! Parties to decisions as organisations, not strings: a counterparty written as an ODS code
//! (`RP5`, a practice's `C86901`) and one written as the organisation's name ("Doncaster and
//! Bassetlaw Teaching Hospitals NHS Foundation Trust") are the same party when the register
//! says the code has that name. Names are compared after normalising case, punctuation, "&"
//! and a leading "The", so an interest declared against a provider's name is found when a
//! decision names its code, and the other way round.

use std::collections::HashMap;
use vires_core::{Date, Register};

/// What a written party resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Party {
    /// A body or practice the register knows, by its code.
    Code(String),
    /// An organisation the register does not know, by its normalised name.
    Name(String),
}

/// Normalises an organisation's name for comparison: lower case, "&" as "and", punctuation
/// dropped, a leading "the" dropped, words joined by single spaces.
pub fn normalise_name(s: &str) -> String {
    let spaced = s.replace('&', " and ");
    let words: Vec<String> = spaced
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let start = usize::from(words.len() > 1 && words[0] == "the");
    words[start..].join(" ")
}

/// Resolves written parties against a register's bodies and practices.
pub struct Parties<'a> {
    register: Option<&'a Register>,
    /// Normalised names of the register's bodies and practices, to their codes.
    by_name: HashMap<String, String>,
}

impl<'a> Parties<'a> {
    /// Resolution against `register`; its names are indexed once.
    pub fn new(register: &'a Register) -> Parties<'a> {
        let mut by_name = HashMap::new();
        for b in &register.bodies {
            by_name
                .entry(normalise_name(&b.name))
                .or_insert_with(|| b.code.clone());
        }
        for a in &register.practices {
            by_name
                .entry(normalise_name(&a.name))
                .or_insert_with(|| a.code.to_string());
        }
        Parties {
            register: Some(register),
            by_name,
        }
    }

    /// Resolution without a register: names and codes compare as normalised text only.
    pub fn text_only() -> Parties<'static> {
        Parties {
            register: None,
            by_name: HashMap::new(),
        }
    }

    /// The party `written` stands for on `on`.
    pub fn resolve(&self, written: &str, on: Date) -> Party {
        let code = written.trim().to_uppercase();
        if let Some(reg) = self.register {
            if let Some(id) = reg.body_near(&code, on) {
                return Party::Code(reg.body(id).code.clone());
            }
            if reg.practice_id(&code).is_some() {
                return Party::Code(code);
            }
        }
        let name = normalise_name(written);
        match self.by_name.get(&name) {
            Some(code) => Party::Code(code.clone()),
            None => Party::Name(name),
        }
    }

    /// Whether `a` and `b` are written for the same organisation on `on`.
    pub fn same(&self, a: &str, b: &str, on: Date) -> bool {
        self.resolve(a, on) == self.resolve(b, on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise() {
        assert_eq!(
            normalise_name("The Doncaster & Bassetlaw  Teaching Hospitals N.H.S. Trust"),
            "doncaster and bassetlaw teaching hospitals n h s trust"
        );
        assert_eq!(normalise_name("The"), "the");
        let p = Parties::text_only();
        let on: Date = "2020-01-01".parse().unwrap();
        assert!(p.same("Doncaster GP Federation", "doncaster gp federation.", on));
        assert!(!p.same("RP5", "Doncaster GP Federation", on));
    }
}
