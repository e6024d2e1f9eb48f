//! Which area keys answer for a place on a date (docs/language.md, "Answering `who`"): for
//! a practice, the keys that contain it; for a body, those that hold all of its footprint
//! and those that hold part; for a named area, each of its parts'; for England, England.

use crate::answer::query::QueryError;
use crate::model::body::BodyId;
use crate::model::place::{Place, PracticeId};
use crate::model::register::NamedArea;
use crate::snapshot::{AreaKey, Snapshot};
use jiff::civil::Date;

/// The area keys that answer for a place: those covering all of it, and those covering part.
#[derive(Debug, Default, Clone)]
pub struct PlaceKeys {
    pub full: Vec<AreaKey>,
    pub partial: Vec<AreaKey>,
    /// For a place made of several parts (a named area): each part's keys upwards. A grant
    /// found under partial keys covers the whole place when it reaches every part.
    pub components: Vec<Vec<AreaKey>>,
    /// Scratch for the bodies above a key, kept so that refilling the keys allocates nothing.
    chain: Vec<BodyId>,
}

impl PlaceKeys {
    pub(crate) fn clear(&mut self) {
        self.full.clear();
        self.partial.clear();
        self.components.clear();
        self.chain.clear();
    }
}

impl Snapshot {
    /// Area keys for a place on a date.
    pub fn place_keys(&self, place: &Place, on: Date) -> Result<PlaceKeys, QueryError> {
        let mut keys = PlaceKeys::default();
        self.place_keys_into(place, on, &mut keys)?;
        Ok(keys)
    }

    /// [`Snapshot::place_keys`] into buffers the caller keeps, cleared first.
    pub fn place_keys_into(
        &self,
        place: &Place,
        on: Date,
        keys: &mut PlaceKeys,
    ) -> Result<(), QueryError> {
        keys.clear();
        match place {
            Place::Practice(code) => {
                let a = self.known_practice(code)?;
                self.practice_keys(a, on, keys);
            }
            Place::Body(code) => {
                let b = self.body_on(code, on)?;
                match self.body_as_area(b, on) {
                    Some(area) => self.area_keys(area, on, keys),
                    None => {
                        self.up_keys(AreaKey::Body(b), on, &mut keys.full);
                        self.down_keys(b, on, &mut keys.partial);
                    }
                }
            }
            Place::Area(id) => {
                let area = self
                    .register
                    .area(id)
                    .ok_or_else(|| QueryError::UnknownArea(id.to_string()))?;
                self.area_keys(area, on, keys);
            }
            Place::England => keys.full.push(AreaKey::England),
        }
        keys.partial.retain(|k| !keys.full.contains(k));
        Ok(())
    }

    /// The keys of named area `area` on `on`: those above all of its parts hold all of it,
    /// the rest and those under its parts part of it.
    fn area_keys(&self, area: &NamedArea, on: Date, keys: &mut PlaceKeys) {
        let mut parts = Vec::new();
        self.expr_keys(&area.expr, on, &mut parts, 0);
        let ups: Vec<Vec<AreaKey>> = parts
            .iter()
            .map(|k| {
                let mut v = Vec::new();
                self.up_keys(*k, on, &mut v);
                v
            })
            .collect();
        let mut all: Vec<AreaKey> = ups.iter().flatten().copied().collect();
        all.sort();
        all.dedup();
        for k in all {
            if ups.iter().all(|u| u.contains(&k)) {
                keys.full.push(k);
            } else {
                keys.partial.push(k);
            }
        }
        for k in &parts {
            if let AreaKey::Body(b) = k {
                self.down_keys(*b, on, &mut keys.partial);
            }
        }
        keys.components = ups;
    }

    /// Keys for practice `a` on `on` into cleared `keys`: the practice, the bodies it sits
    /// in, England.
    pub(crate) fn practice_keys(&self, a: PracticeId, on: Date, keys: &mut PlaceKeys) {
        // No grant is indexed under a practice unless some grant names practices.
        if self.has_practice_grants {
            keys.full.push(AreaKey::Practice(a));
        }
        self.practice_chain(a, on, &mut keys.chain);
        keys.full
            .extend(keys.chain.iter().copied().map(AreaKey::Body));
        keys.full.push(AreaKey::England);
    }

    /// A key, the bodies above it on `on`, and England.
    fn up_keys(&self, k: AreaKey, on: Date, out: &mut Vec<AreaKey>) {
        out.push(k);
        let mut chain = Vec::new();
        match k {
            AreaKey::Body(b) => self.body_ancestors(b, on, &mut chain),
            AreaKey::Practice(a) => self.practice_chain(a, on, &mut chain),
            AreaKey::England => {}
        }
        out.extend(chain.into_iter().map(AreaKey::Body));
        if k != AreaKey::England {
            out.push(AreaKey::England);
        }
    }

    /// Bodies and (where any grant is made to practices) practices inside a body on `on`.
    fn down_keys(&self, b: BodyId, on: Date, out: &mut Vec<AreaKey>) {
        let mut desc = Vec::new();
        self.body_descendants(b, on, &mut desc);
        out.extend(desc.into_iter().map(AreaKey::Body));
        if self.has_practice_grants {
            out.extend(
                self.footprint_practices(b, on)
                    .into_iter()
                    .map(AreaKey::Practice),
            );
        }
    }

    pub(crate) fn expr_keys(
        &self,
        e: &crate::model::instrument::AreaExpr,
        on: Date,
        out: &mut Vec<AreaKey>,
        depth: u32,
    ) {
        use crate::model::instrument::AreaExpr as A;
        if depth > 32 {
            return;
        }
        match e {
            A::England | A::Own => out.push(AreaKey::England),
            A::Footprint(c) => {
                let mut bodies = Vec::new();
                self.footprint_on(c, on, &mut bodies);
                out.extend(bodies.into_iter().map(AreaKey::Body));
            }
            A::Practices(ps) => out.extend(
                ps.iter()
                    .filter_map(|p| self.register.practice_id(p))
                    .map(AreaKey::Practice),
            ),
            A::Named(n) => {
                if let Some(a) = self.register.area(n) {
                    self.expr_keys(&a.expr, on, out, depth + 1)
                }
            }
            A::Union(parts) => {
                for p in parts {
                    self.expr_keys(p, on, out, depth + 1);
                }
            }
        }
    }

    /// The bodies whose footprints make up the footprint a named area gives by `code`, on
    /// `on`: the body with that code then; after it merged, the body it merged into; before
    /// it was formed, the bodies it was formed from (a district drawn on April 2021 CCGs is
    /// asked about in 2016 through their predecessors, not found empty).
    pub(crate) fn footprint_on(&self, code: &str, on: Date, out: &mut Vec<BodyId>) {
        if let Some(b) = self.register.body_at(code, on) {
            out.push(b);
            return;
        }
        let bodies = self.register.bodies_with_code(code);
        let life = |b: BodyId| self.register.body(b).life;
        if let Some(&last) = bodies.iter().rfind(|&&b| life(b).from <= on) {
            let mut cur = last;
            // Merger chains are short and acyclic in valid data; the bound guards bad data.
            for _ in 0..16 {
                match self.successor_of(cur) {
                    Some((when, next, _)) if when <= on => {
                        if life(next).contains(on) {
                            out.push(next);
                            return;
                        }
                        cur = next;
                    }
                    _ => return,
                }
            }
        } else if let Some(&first) = bodies.first() {
            self.predecessors_on(first, on, out, 0);
        }
    }

    /// The bodies alive on `on` that merged, directly or through others, into `b`.
    fn predecessors_on(&self, b: BodyId, on: Date, out: &mut Vec<BodyId>, depth: u32) {
        if depth > 16 {
            return;
        }
        for (i, s) in self.successor.iter().enumerate() {
            if !matches!(s, Some((_, to, _)) if *to == b) {
                continue;
            }
            let p = BodyId(i as u32);
            if self.register.body(p).life.contains(on) {
                if !out.contains(&p) {
                    out.push(p);
                }
            } else if self.register.body(p).life.from > on {
                self.predecessors_on(p, on, out, depth + 1);
            }
        }
    }
}
