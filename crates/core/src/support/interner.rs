//! Distinct lists numbered once each (the snapshot's function, purpose, via and area sets),
//! so that a grant holds a number rather than a list.

use crate::support::item_index::ItemIndex;

/// Distinct lists, each numbered in the order first seen; the empty list is 0. The index
/// holds numbers only and finds a list through `items` ([`ItemIndex`]), so each list is
/// stored once.
pub(crate) struct Interner<T> {
    items: Vec<Vec<T>>,
    ids: ItemIndex,
}

impl<T: std::hash::Hash + Eq + Clone> Interner<T> {
    pub(crate) fn new() -> Self {
        let mut s = Interner {
            items: Vec::new(),
            ids: ItemIndex::default(),
        };
        s.intern(Vec::new());
        s
    }

    pub(crate) fn intern(&mut self, v: Vec<T>) -> u32 {
        let n = self.items.len() as u32;
        match self.ids.add(&self.items, Vec::as_slice, n, v.as_slice()) {
            Err(id) => id,
            Ok(()) => {
                self.items.push(v);
                n
            }
        }
    }

    /// Interns a list without allocating when it is already known.
    pub(crate) fn intern_slice(&mut self, v: &[T]) -> u32 {
        // The empty list is interned first, by `new`.
        if v.is_empty() {
            return 0;
        }
        let n = self.items.len() as u32;
        match self.ids.add(&self.items, Vec::as_slice, n, v) {
            Err(id) => id,
            Ok(()) => {
                self.items.push(v.to_vec());
                n
            }
        }
    }

    /// The list numbered `id`.
    pub(crate) fn get(&self, id: u32) -> &[T] {
        &self.items[id as usize]
    }

    /// The lists, indexed by their numbers.
    pub(crate) fn into_items(self) -> Vec<Vec<T>> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interner_numbers_each_distinct_list_once_whether_given_as_a_list_or_a_slice() {
        let mut lists: Interner<u32> = Interner::new();
        assert_eq!(lists.intern_slice(&[]), 0);
        let a = lists.intern(vec![1, 2, 3]);
        let b = lists.intern_slice(&[4]);
        assert_eq!((a, b), (1, 2));
        assert_eq!(lists.intern_slice(&[1, 2, 3]), a);
        assert_eq!(lists.intern(vec![4]), b);
        assert_eq!(lists.intern_slice(&[3, 2, 1]), 3);
        // Enough lists to make the table grow several times, each still found.
        for n in 0..1000u32 {
            lists.intern(vec![n, n + 1]);
        }
        for n in 0..1000u32 {
            assert_eq!(lists.intern_slice(&[n, n + 1]) as usize, 4 + n as usize);
        }
        assert_eq!(lists.items.len(), 1004);
        assert_eq!(lists.items[0], Vec::<u32>::new());
    }
}
