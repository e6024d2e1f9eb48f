//! The register: everything known, as written. It is validated and indexed by
//! [`Register::compile`] into a [`crate::Snapshot`].

use crate::model::body::{Body, BodyId, BodyKind};
use crate::model::function::{FunctionDef, FunctionId, Taxonomy};
use crate::model::instrument::{AreaExpr, Instrument};
use crate::model::interval::Interval;
use crate::model::place::{Membership, ParentLink, Practice, PracticeId};
use crate::model::power::Power;
use jiff::civil::Date;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// An ODS successor record: `from` was succeeded by `to` on `on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Succession {
    pub from: String,
    pub to: String,
    pub on: Date,
}

/// A named area, such as a local authority district or a devolution footprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedArea {
    pub id: String,
    pub name: String,
    pub expr: AreaExpr,
    /// Why the area has this extent, especially when it is an approximation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The extent is an approximation (the note says how): answers about the area say so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
}

fn code_of(practice: &Practice) -> &str {
    &practice.code
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RegisterError {
    #[error("body {code} already exists during {from}..{until}")]
    BodyOverlap {
        code: String,
        from: Date,
        until: String,
    },
    #[error("practice {0} is declared twice")]
    DuplicatePractice(String),
    #[error("unknown body {code} on {on}")]
    UnknownBody { code: String, on: Date },
    #[error("unknown practice {0}")]
    UnknownPractice(String),
}

#[derive(Debug, Clone, Default)]
pub struct Register {
    pub bodies: Vec<Body>,
    by_code: FxHashMap<String, Vec<BodyId>>,
    pub taxonomy: Taxonomy,
    pub practices: Vec<Practice>,
    /// Practices by code: the table holds practice numbers and hashes the practices' own codes (a
    /// map from a copy of each code was 39 bytes a practice, at 0.8 practices an instrument).
    /// Practices are only ever appended, and `practices` is not reordered, so the numbers stay valid.
    practice_by_code: crate::support::item_index::ItemIndex,
    pub memberships: Vec<Membership>,
    pub parents: Vec<ParentLink>,
    pub successions: Vec<Succession>,
    pub areas: Vec<NamedArea>,
    pub powers: Vec<Power>,
    pub instruments: Vec<Instrument>,
    /// One copy of each function id longer than `SmolStr` keeps inline, which the
    /// instruments' function lists share: at a million instruments, copies of ids such as
    /// `commissioning.secondary-care.acute` were 40 bytes an instrument.
    function_ids: rustc_hash::FxHashSet<SmolStr>,
    /// The coverage statement: where and when the register is complete for each function.
    /// Empty for a register that makes no statement (then answers carry no coverage caveat).
    pub coverage: Vec<crate::model::coverage::CoverageRow>,
    /// Stretches of practices' histories the sources do not settle.
    pub unknown_memberships: Vec<crate::model::coverage::UnknownMembership>,
}

impl Register {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a body written again in a file or a proposal: one the register already has (the
    /// same code and life) is left as it is; otherwise as [`Register::add_body`].
    pub fn add_body_unless_there(&mut self, body: &Body) -> Result<(), RegisterError> {
        if self
            .bodies
            .iter()
            .any(|x| x.code == body.code && x.life == body.life)
        {
            return Ok(());
        }
        self.add_body(body.clone()).map(|_| ())
    }

    /// Adds a body. Two bodies may share a code only if their lives do not overlap.
    pub fn add_body(&mut self, body: Body) -> Result<BodyId, RegisterError> {
        if let Some(ids) = self.by_code.get(&body.code) {
            for &id in ids {
                let other = &self.bodies[id.0 as usize];
                if other.life.overlaps(&body.life) {
                    return Err(RegisterError::BodyOverlap {
                        code: body.code.clone(),
                        from: other.life.from,
                        until: other
                            .life
                            .until
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "open".into()),
                    });
                }
            }
        }
        let id = BodyId(self.bodies.len() as u32);
        let list = self.by_code.entry(body.code.clone()).or_default();
        list.push(id);
        self.bodies.push(body);
        let bodies = &self.bodies;
        list.sort_by_key(|b| bodies[b.0 as usize].life.from);
        Ok(id)
    }

    pub fn body(&self, id: BodyId) -> &Body {
        &self.bodies[id.0 as usize]
    }

    /// The body with `code` alive on `on`.
    pub fn body_at(&self, code: &str, on: Date) -> Option<BodyId> {
        self.by_code
            .get(code)?
            .iter()
            .copied()
            .find(|&b| self.body(b).life.contains(on))
    }

    /// Every body that has ever had `code`, earliest first.
    pub fn bodies_with_code(&self, code: &str) -> &[BodyId] {
        self.by_code.get(code).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The body with `code` alive on `on`, else the latest one that ended before `on`,
    /// else the first one. Used where an instrument names a body by code at a date that
    /// may sit just outside its life (the diagnostic then says so).
    pub fn body_near(&self, code: &str, on: Date) -> Option<BodyId> {
        let ids = self.by_code.get(code)?;
        if let Some(b) = ids
            .iter()
            .copied()
            .find(|&b| self.body(b).life.contains(on))
        {
            return Some(b);
        }
        ids.iter()
            .rev()
            .copied()
            .find(|&b| self.body(b).life.from <= on)
            .or_else(|| ids.first().copied())
    }

    pub fn declare_function(&mut self, id: &str, name: &str) -> FunctionId {
        self.taxonomy.declare(FunctionDef {
            id: id.into(),
            name: name.into(),
            note: None,
        })
    }

    pub fn add_practice(&mut self, practice: Practice) -> Result<PracticeId, RegisterError> {
        let id = PracticeId(self.practices.len() as u32);
        if self
            .practice_by_code
            .add(&self.practices, code_of, id.0, &practice.code)
            .is_err()
        {
            return Err(RegisterError::DuplicatePractice(practice.code.to_string()));
        }
        self.practices.push(practice);
        Ok(id)
    }

    pub fn practice_id(&self, code: &str) -> Option<PracticeId> {
        self.practice_by_code
            .get(&self.practices, code_of, code)
            .map(PracticeId)
    }

    pub fn add_membership(&mut self, practice: PracticeId, body: BodyId, during: Interval) {
        self.memberships.push(Membership {
            practice,
            body,
            during,
        });
    }

    pub fn add_parent(&mut self, child: BodyId, parent: BodyId, during: Interval) {
        self.parents.push(ParentLink {
            child,
            parent,
            during,
        });
    }

    pub fn add_succession(&mut self, s: Succession) {
        self.successions.push(s);
    }

    pub fn add_area(&mut self, area: NamedArea) {
        if let Some(a) = self.areas.iter_mut().find(|a| a.id == area.id) {
            *a = area;
        } else {
            self.areas.push(area);
        }
    }

    pub fn area(&self, id: &str) -> Option<&NamedArea> {
        self.areas.iter().find(|a| a.id == id)
    }

    pub fn add_power(&mut self, p: Power) {
        if let Some(existing) = self.powers.iter_mut().find(|x| x.id == p.id) {
            *existing = p;
        } else {
            self.powers.push(p);
        }
    }

    pub fn add_instrument(&mut self, mut i: Instrument) {
        // A builder that writes every field, empty ones included, has allocated the group.
        i.tidy();
        // A list built by pushing may have spilled to the heap with room to spare.
        i.functions.shrink_to_fit();
        for f in &mut i.functions {
            if f.is_heap_allocated() {
                match self.function_ids.get(f.as_str()) {
                    Some(shared) => *f = shared.clone(),
                    None => {
                        self.function_ids.insert(f.clone());
                    }
                }
            }
        }
        self.instruments.push(i);
    }

    /// Bodies of `kind` alive at some time in `during`.
    pub fn bodies_of_kind(&self, kind: BodyKind) -> impl Iterator<Item = BodyId> + '_ {
        self.bodies
            .iter()
            .enumerate()
            .filter(move |(_, b)| b.kind == kind)
            .map(|(i, _)| BodyId(i as u32))
    }

    /// Bodies alive on `on`, optionally of one kind, in code order.
    pub fn bodies_on(&self, on: Date, kind: Option<BodyKind>) -> Vec<BodyId> {
        let mut v: Vec<BodyId> = self
            .bodies
            .iter()
            .enumerate()
            .filter(|(_, b)| b.life.contains(on) && kind.is_none_or(|k| b.kind == k))
            .map(|(i, _)| BodyId(i as u32))
            .collect();
        v.sort_by(|a, b| self.body(*a).code.cmp(&self.body(*b).code));
        v
    }

    /// Appends everything from `other` (bodies, practices, functions, powers, instruments).
    /// Conflicting bodies or practices are reported and skipped; the rest is kept.
    pub fn merge_from(&mut self, other: Register) -> Vec<RegisterError> {
        let mut errors = Vec::new();
        let mut body_map = Vec::with_capacity(other.bodies.len());
        for b in other.bodies {
            let code = b.code.clone();
            let from = b.life.from;
            match self.add_body(b) {
                Ok(id) => body_map.push(Some(id)),
                Err(e) => {
                    errors.push(e);
                    body_map.push(self.body_at(&code, from));
                }
            }
        }
        let mut practice_map = Vec::with_capacity(other.practices.len());
        for a in other.practices {
            let code = a.code.clone();
            match self.add_practice(a) {
                Ok(id) => practice_map.push(Some(id)),
                Err(e) => {
                    errors.push(e);
                    practice_map.push(self.practice_id(&code));
                }
            }
        }
        for (_, def) in other.taxonomy.iter() {
            self.taxonomy.declare(def.clone());
        }
        for m in other.memberships {
            if let (Some(Some(a)), Some(Some(b))) = (
                practice_map.get(m.practice.0 as usize),
                body_map.get(m.body.0 as usize),
            ) {
                self.add_membership(*a, *b, m.during);
            }
        }
        for p in other.parents {
            if let (Some(Some(c)), Some(Some(par))) = (
                body_map.get(p.child.0 as usize),
                body_map.get(p.parent.0 as usize),
            ) {
                self.add_parent(*c, *par, p.during);
            }
        }
        self.successions.extend(other.successions);
        self.coverage.extend(other.coverage);
        for mut u in other.unknown_memberships {
            if let Some(Some(a)) = practice_map.get(u.practice.0 as usize) {
                u.practice = *a;
                self.unknown_memberships.push(u);
            }
        }
        for a in other.areas {
            self.add_area(a);
        }
        for p in other.powers {
            self.add_power(p);
        }
        self.instruments.extend(other.instruments);
        errors
    }
}
