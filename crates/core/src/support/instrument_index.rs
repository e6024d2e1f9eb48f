//! Instruments by id, through an [`ItemIndex`] of instrument numbers (no copied ids).

use crate::model::instrument::{Instrument, InstrumentId};
use crate::support::item_index::ItemIndex;

#[derive(Debug, Clone, Default)]
pub(crate) struct InstrumentIndex {
    table: ItemIndex,
}

fn id_of(ins: &Instrument) -> &str {
    &ins.id
}

impl InstrumentIndex {
    /// The index of `instruments`, and each instrument whose id an earlier one already has,
    /// with that first one.
    pub(crate) fn build(instruments: &[Instrument]) -> (Self, Vec<(InstrumentId, InstrumentId)>) {
        let mut table = ItemIndex::with_capacity(instruments.len());
        let mut duplicates = Vec::new();
        for (idx, ins) in instruments.iter().enumerate() {
            if let Err(first) = table.add(instruments, id_of, idx as u32, &ins.id) {
                duplicates.push((InstrumentId(idx as u32), InstrumentId(first)));
            }
        }
        (InstrumentIndex { table }, duplicates)
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.table.heap_bytes()
    }

    /// The instrument with this id; `instruments` must be the ones the index was built from.
    pub(crate) fn get(&self, instruments: &[Instrument], id: &str) -> Option<InstrumentId> {
        self.table.get(instruments, id_of, id).map(InstrumentId)
    }
}

#[cfg(test)]
mod tests {
    use super::InstrumentIndex;
    use crate::model::instrument::{Instrument, InstrumentId, InstrumentKind};
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
