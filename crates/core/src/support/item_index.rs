//! Items found by their own key (an instrument's id, a practice's code, an interned list)
//! without a second copy of it: the table holds item numbers only, and hashes and compares
//! through the items themselves, so no key is stored twice.

use hashbrown::HashTable;
use std::hash::{BuildHasher, Hash};

#[derive(Debug, Clone, Default)]
pub(crate) struct ItemIndex {
    table: HashTable<u32>,
}

fn hash<K: Hash + ?Sized>(key: &K) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(key)
}

impl ItemIndex {
    pub(crate) fn heap_bytes(&self) -> usize {
        crate::support::heap_bytes::HeapBytes::heap_bytes(&self.table)
    }

    pub(crate) fn with_capacity(n: usize) -> Self {
        ItemIndex {
            table: HashTable::with_capacity(n),
        }
    }

    /// Adds item number `n`, whose key is `key`, unless an item of `items` (those already
    /// added) has that key: then `Err` with that item's number. The caller adds the item to
    /// `items` as number `n` before anything else is added.
    pub(crate) fn add<T, K: Hash + Eq + ?Sized>(
        &mut self,
        items: &[T],
        key_of: impl Fn(&T) -> &K,
        n: u32,
        key: &K,
    ) -> Result<(), u32> {
        match self.table.entry(
            hash(key),
            |&j| items.get(j as usize).is_some_and(|i| key_of(i) == key),
            |&j| items.get(j as usize).map_or(0, |i| hash(key_of(i))),
        ) {
            hashbrown::hash_table::Entry::Occupied(first) => Err(*first.get()),
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(n);
                Ok(())
            }
        }
    }

    /// The number of the item with this key; `items` must be the ones added.
    pub(crate) fn get<T, K: Hash + Eq + ?Sized>(
        &self,
        items: &[T],
        key_of: impl Fn(&T) -> &K,
        key: &K,
    ) -> Option<u32> {
        self.table
            .find(hash(key), |&j| {
                items.get(j as usize).is_some_and(|i| key_of(i) == key)
            })
            .copied()
    }
}
