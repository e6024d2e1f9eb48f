//! The grants made so far, and each body's grants by function, where an arrangement looks
//! for its parent holding (docs/language.md, "Arrangements: holdings made from holdings",
//! step 1).

use crate::model::body::BodyId;
use crate::model::function::FunctionId;
use crate::snapshot::GrantId;

/// No grant: the end of a chain in [`Holdings`].
pub(super) const NO_GRANT: u32 = u32::MAX;

/// Grants in the order they were made, linked through [`Holdings::next`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Chain {
    first: u32,
    last: u32,
}

impl Chain {
    const EMPTY: Chain = Chain {
        first: NO_GRANT,
        last: NO_GRANT,
    };
}

/// The grants one body holds for one function, statutory apart from the rest.
#[derive(Debug, Clone, Copy)]
pub(super) struct Held {
    pub(super) statutory: Chain,
    pub(super) derived: Chain,
}

/// A body's grants by function, statutory first, so `find_parent` looks only at the
/// grants that could cover the function instead of everything the body holds (NHS
/// England holds a grant per footprint per specialised service, so scanning all of
/// them per arrangement made the build quadratic).
///
/// The lists are chains through the grants (one number a grant), found through arrays
/// indexed by body and function, so adding a grant allocates nothing of its own.
pub(super) struct Holdings {
    n_functions: usize,
    /// Per body: 1 + the start of its block of `n_functions` entries in `slots`, or 0
    /// while it holds nothing.
    block: Vec<u32>,
    /// Per (body, function) held: 1 + its index in `held`, or 0.
    slots: Vec<u32>,
    held: Vec<Held>,
    /// Per grant: the next grant of its chain, or [`NO_GRANT`].
    next: Vec<u32>,
}

impl Holdings {
    pub(super) fn new(n_bodies: usize, n_functions: usize) -> Self {
        Holdings {
            n_functions,
            block: vec![0; n_bodies],
            slots: Vec::new(),
            held: Vec::new(),
            next: Vec::new(),
        }
    }

    pub(super) fn get(&self, b: BodyId, f: FunctionId) -> Option<&Held> {
        let f = f.0 as usize;
        if f >= self.n_functions {
            return None;
        }
        let start = self.block.get(b.0 as usize)?.checked_sub(1)? as usize;
        let h = self.slots.get(start + f)?.checked_sub(1)?;
        self.held.get(h as usize)
    }

    /// Records grant `g`, the next grant made (grants are numbered in order).
    pub(super) fn add(&mut self, b: BodyId, f: FunctionId, statutory: bool, g: GrantId) {
        self.next.push(NO_GRANT);
        let (bi, fi) = (b.0 as usize, f.0 as usize);
        // Holders are the register's bodies and functions its taxonomy's, so neither falls
        // outside; if one did, the grant would simply never be found as a parent.
        if fi >= self.n_functions || bi >= self.block.len() {
            return;
        }
        if self.block[bi] == 0 {
            self.block[bi] = self.slots.len() as u32 + 1;
            self.slots.resize(self.slots.len() + self.n_functions, 0);
        }
        let slot = self.block[bi] as usize - 1 + fi;
        if self.slots[slot] == 0 {
            self.held.push(Held {
                statutory: Chain::EMPTY,
                derived: Chain::EMPTY,
            });
            self.slots[slot] = self.held.len() as u32;
        }
        let held = &mut self.held[self.slots[slot] as usize - 1];
        let chain = if statutory {
            &mut held.statutory
        } else {
            &mut held.derived
        };
        match self.next.get_mut(chain.last as usize) {
            Some(last) => *last = g.0,
            None => chain.first = g.0,
        }
        chain.last = g.0;
    }

    /// Room for `n` more grants.
    pub(super) fn reserve(&mut self, n: usize) {
        self.next.reserve(n);
    }

    /// Starts loading what finding body `b`'s holdings reads (see `read_ahead.rs`).
    pub(super) fn prefetch_body(&self, b: BodyId) {
        if let Some(x) = self.block.get(b.0 as usize) {
            crate::support::prefetch::prefetch(x);
        }
    }

    /// The grants of a chain, earliest first.
    pub(super) fn iter(&self, chain: Chain) -> impl Iterator<Item = GrantId> + '_ {
        std::iter::successors((chain.first != NO_GRANT).then_some(chain.first), |&g| {
            self.next
                .get(g as usize)
                .copied()
                .filter(|&n| n != NO_GRANT)
        })
        .map(GrantId)
    }
}
