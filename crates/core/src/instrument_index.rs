//! Instruments by id, without a second copy of the ids: the table holds instrument
//! numbers only and hashes and compares through the register's own instruments. At a
//! million instruments a `HashMap<String, InstrumentId>` was 80-odd bytes an instrument,
//! most of it the copied ids.

use crate::instrument::{Instrument, InstrumentId};
use hashbrown::HashTable;
use std::hash::BuildHasher;

#[derive(Debug, Clone, Default)]
pub(crate) struct InstrumentIndex {
    table: HashTable<u32>,
}

fn hash(id: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(id)
}

impl InstrumentIndex {
    /// The index of `instruments`, and each instrument whose id an earlier one already has,
    /// with that first one.
    pub(crate) fn build(instruments: &[Instrument]) -> (Self, Vec<(InstrumentId, InstrumentId)>) {
        let mut table = HashTable::with_capacity(instruments.len());
        let mut duplicates = Vec::new();
        for (idx, ins) in instruments.iter().enumerate() {
            let h = hash(&ins.id);
            match table.entry(
                h,
                |&j: &u32| instruments[j as usize].id == ins.id,
                |&j: &u32| hash(&instruments[j as usize].id),
            ) {
                hashbrown::hash_table::Entry::Occupied(first) => {
                    duplicates.push((InstrumentId(idx as u32), InstrumentId(*first.get())));
                }
                hashbrown::hash_table::Entry::Vacant(slot) => {
                    slot.insert(idx as u32);
                }
            }
        }
        (InstrumentIndex { table }, duplicates)
    }

    /// The instrument with this id; `instruments` must be the ones the index was built from.
    pub(crate) fn get(&self, instruments: &[Instrument], id: &str) -> Option<InstrumentId> {
        self.table
            .find(hash(id), |&j| {
                instruments.get(j as usize).is_some_and(|ins| ins.id == id)
            })
            .map(|&j| InstrumentId(j))
    }
}

#[cfg(test)]
mod tests {
    use super::InstrumentIndex;
    use crate::instrument::{Instrument, InstrumentId, InstrumentKind};
    use jiff::civil::date;

    #[test]
    fn finds_each_id_and_reports_repeats() {
        let on = date(2020, 4, 1);
        let ins: Vec<Instrument> = ["a", "b", "a", "c", "b"]
            .into_iter()
            .map(|id| Instrument::new(id, InstrumentKind::Conferral, on))
            .collect();
        let (index, dups) = InstrumentIndex::build(&ins);
        assert_eq!(index.get(&ins, "a"), Some(InstrumentId(0)));
        assert_eq!(index.get(&ins, "b"), Some(InstrumentId(1)));
        assert_eq!(index.get(&ins, "c"), Some(InstrumentId(3)));
        assert_eq!(index.get(&ins, "d"), None);
        assert_eq!(
            dups,
            [
                (InstrumentId(2), InstrumentId(0)),
                (InstrumentId(4), InstrumentId(1))
            ]
        );
    }
}
