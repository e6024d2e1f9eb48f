//! The coverage statement and the practices' unknown stretches indexed for answers, built
//! once when a register is compiled and kept in the snapshot.

use crate::model::body::BodyId;
use crate::model::function::FunctionId;
use crate::model::place::PracticeId;
use crate::model::register::Register;
use rustc_hash::FxHashMap;

/// The coverage statement and the practices' unknown stretches, indexed once when the
/// register is compiled, so that an answer reads only the rows about its own function and
/// the stretches of its own practice.
#[derive(Debug, Clone, Default)]
pub(crate) struct KnowledgeIndex {
    /// Per function, by id: the coverage rows about it or about a function above or below it.
    rows_about: Vec<Vec<RowAbout>>,
    /// Per coverage row: the bodies that have had its area's code (`None`: all England).
    pub(crate) row_areas: Vec<Option<Vec<BodyId>>>,
    /// Per practice with unknown stretches: their positions in `unknown_memberships`.
    pub(crate) unknown_of: FxHashMap<PracticeId, Vec<u32>>,
}

/// A coverage row about a function: the row, and whether its function is the function
/// itself or one above it (then a complete row covers the function).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowAbout {
    pub(crate) row: u32,
    pub(crate) above: bool,
}

impl KnowledgeIndex {
    pub(crate) fn of(reg: &Register) -> KnowledgeIndex {
        let tax = &reg.taxonomy;
        let mut rows_about = vec![Vec::new(); tax.len()];
        for (i, row) in reg.coverage.iter().enumerate() {
            let Some(rf) = tax.get(&row.function) else {
                continue;
            };
            for (f, _) in tax.iter() {
                let above = tax.covers(rf, f);
                if above || tax.covers(f, rf) {
                    rows_about[f.0 as usize].push(RowAbout {
                        row: i as u32,
                        above,
                    });
                }
            }
        }
        let row_areas = reg
            .coverage
            .iter()
            .map(|row| {
                row.area
                    .as_deref()
                    .map(|code| reg.bodies_with_code(code).to_vec())
            })
            .collect();
        let mut unknown_of: FxHashMap<PracticeId, Vec<u32>> = FxHashMap::default();
        for (i, u) in reg.unknown_memberships.iter().enumerate() {
            unknown_of.entry(u.practice).or_default().push(i as u32);
        }
        KnowledgeIndex {
            rows_about,
            row_areas,
            unknown_of,
        }
    }

    /// Heap bytes, from capacities, for the snapshot's memory breakdown.
    pub(crate) fn heap_bytes(&self) -> usize {
        use crate::support::heap_bytes::HeapBytes;
        let vec_bytes = |cap: usize, each: usize| cap * each;
        vec_bytes(self.rows_about.capacity(), size_of::<Vec<RowAbout>>())
            + self
                .rows_about
                .iter()
                .map(|r| vec_bytes(r.capacity(), size_of::<RowAbout>()))
                .sum::<usize>()
            + vec_bytes(self.row_areas.capacity(), size_of::<Option<Vec<BodyId>>>())
            + self
                .row_areas
                .iter()
                .flatten()
                .map(HeapBytes::heap_bytes)
                .sum::<usize>()
            + self.unknown_of.heap_bytes()
            + self
                .unknown_of
                .values()
                .map(HeapBytes::heap_bytes)
                .sum::<usize>()
    }

    pub(crate) fn rows_about(&self, f: FunctionId) -> &[RowAbout] {
        self.rows_about.get(f.0 as usize).map_or(&[], Vec::as_slice)
    }
}
