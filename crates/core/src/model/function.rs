//! The hierarchical function taxonomy. Ids are dotted (`commissioning.primary-care.medical`);
//! a function's parent is its id minus the last segment, when that id is declared too.
//! A holding of a parent covers its children unless an instrument excludes a child.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunctionId(pub u32);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunctionDef {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    defs: Vec<FunctionDef>,
    parent: Vec<Option<FunctionId>>,
    /// Per function, the functions below it (its parts, and theirs), in declaration order.
    below: Vec<Vec<FunctionId>>,
    by_id: FxHashMap<String, FunctionId>,
}

impl Taxonomy {
    /// Adds a function; re-declaring an id updates its name. Parents are linked lazily by id,
    /// so declaration order does not matter.
    pub fn declare(&mut self, def: FunctionDef) -> FunctionId {
        if let Some(&id) = self.by_id.get(&def.id) {
            self.defs[id.0 as usize] = def;
            return id;
        }
        let id = FunctionId(self.defs.len() as u32);
        self.by_id.insert(def.id.clone(), id);
        self.defs.push(def);
        self.parent.push(None);
        self.relink();
        id
    }

    fn relink(&mut self) {
        for i in 0..self.defs.len() {
            let own = &self.defs[i].id;
            let mut p = None;
            let mut cut = own.as_str();
            while let Some(pos) = cut.rfind('.') {
                cut = &cut[..pos];
                if let Some(&pid) = self.by_id.get(cut) {
                    p = Some(pid);
                    break;
                }
            }
            self.parent[i] = p;
        }
        self.below = vec![Vec::new(); self.defs.len()];
        for i in 0..self.defs.len() {
            let f = FunctionId(i as u32);
            for up in self.self_and_ancestors(f).skip(1).collect::<Vec<_>>() {
                self.below[up.0 as usize].push(f);
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<FunctionId> {
        self.by_id.get(id).copied()
    }

    pub fn def(&self, f: FunctionId) -> &FunctionDef {
        &self.defs[f.0 as usize]
    }

    pub fn name(&self, f: FunctionId) -> &str {
        &self.defs[f.0 as usize].id
    }

    pub fn parent(&self, f: FunctionId) -> Option<FunctionId> {
        self.parent[f.0 as usize]
    }

    /// `f` followed by its ancestors, nearest first.
    pub fn self_and_ancestors(&self, f: FunctionId) -> impl Iterator<Item = FunctionId> + '_ {
        std::iter::successors(Some(f), move |&x| self.parent(x))
    }

    /// The functions below `f` (its parts, and their parts), in declaration order: none for
    /// a function without parts.
    pub fn below(&self, f: FunctionId) -> &[FunctionId] {
        self.below.get(f.0 as usize).map_or(&[], Vec::as_slice)
    }

    /// The parts `f` is made of: the functions directly below it.
    pub fn parts(&self, f: FunctionId) -> impl Iterator<Item = FunctionId> + '_ {
        self.below(f)
            .iter()
            .copied()
            .filter(move |&x| self.parent(x) == Some(f))
    }

    /// Is `ancestor` the same as `f` or above it?
    pub fn covers(&self, ancestor: FunctionId, f: FunctionId) -> bool {
        self.self_and_ancestors(f).any(|x| x == ancestor)
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FunctionId, &FunctionDef)> {
        self.defs
            .iter()
            .enumerate()
            .map(|(i, d)| (FunctionId(i as u32), d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(id: &str) -> FunctionDef {
        FunctionDef {
            id: id.into(),
            name: id.into(),
            note: None,
        }
    }

    #[test]
    fn parents_link_in_any_order() {
        let mut t = Taxonomy::default();
        let med = t.declare(def("commissioning.primary-care.medical"));
        let root = t.declare(def("commissioning"));
        let pc = t.declare(def("commissioning.primary-care"));
        assert_eq!(t.parent(med), Some(pc));
        assert_eq!(t.parent(pc), Some(root));
        assert_eq!(t.below(root), &[med, pc]);
        assert_eq!(t.parts(root).collect::<Vec<_>>(), vec![pc]);
        assert!(t.below(med).is_empty());
        assert!(t.covers(root, med));
        assert!(!t.covers(med, pc));
    }
}
