//! Items found by their own text (an instrument's id, a practice's code) without a second
//! copy of it: the table holds item numbers only, and hashes and compares through the
//! items themselves. At a million instruments a `HashMap<String, _>` was 80-odd bytes an
//! instrument, most of it the copied ids, and 39 bytes a practice.

use hashbrown::HashTable;
use std::hash::BuildHasher;

#[derive(Debug, Clone, Default)]
pub(crate) struct TextIndex {
    table: HashTable<u32>,
}

fn hash(text: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(text)
}

impl TextIndex {
    pub(crate) fn heap_bytes(&self) -> usize {
        crate::heap_bytes::HeapBytes::heap_bytes(&self.table)
    }

    pub(crate) fn with_capacity(n: usize) -> Self {
        TextIndex {
            table: HashTable::with_capacity(n),
        }
    }

    /// Adds item number `n`, whose text is `text`, unless an item of `items` (those already
    /// added) has that text: then `Err` with that item's number.
    pub(crate) fn add<T>(
        &mut self,
        items: &[T],
        text_of: impl Fn(&T) -> &str,
        n: u32,
        text: &str,
    ) -> Result<(), u32> {
        match self.table.entry(
            hash(text),
            |&j| items.get(j as usize).is_some_and(|i| text_of(i) == text),
            |&j| items.get(j as usize).map_or(0, |i| hash(text_of(i))),
        ) {
            hashbrown::hash_table::Entry::Occupied(first) => Err(*first.get()),
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(n);
                Ok(())
            }
        }
    }

    /// The number of the item with this text; `items` must be the ones added.
    pub(crate) fn get<T>(
        &self,
        items: &[T],
        text_of: impl Fn(&T) -> &str,
        text: &str,
    ) -> Option<u32> {
        self.table
            .find(hash(text), |&j| {
                items.get(j as usize).is_some_and(|i| text_of(i) == text)
            })
            .copied()
    }
}
