//! Values built the first time they are asked for, one cell per grant or instrument, with
//! room taken only where some cell was asked for. Most of a large register's grants and
//! instruments are never cited by an answer, so a pointer per cell would be mostly waste.
//! Cells come in blocks of [`BLOCK`],
//! each block allocated with its first value: a pointer per block, and the blocks of cells
//! that answers touch.

use once_cell::race::OnceBox;

const BLOCK: usize = 64;

type Block<T> = [OnceBox<T>; BLOCK];

pub(crate) struct LazyCells<T> {
    blocks: Box<[OnceBox<Block<T>>]>,
    len: usize,
}

impl<T> LazyCells<T> {
    /// `len` empty cells.
    pub(crate) fn new(len: usize) -> Self {
        LazyCells {
            blocks: (0..len.div_ceil(BLOCK)).map(|_| OnceBox::new()).collect(),
            len,
        }
    }

    /// Cell `i`'s value, made by `make` if it has none yet; `None` past the last cell.
    /// Two threads asking at once may both make it; one value is kept, and both get it.
    pub(crate) fn get_or_init(&self, i: usize, make: impl FnOnce() -> T) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let block = self
            .blocks
            .get(i / BLOCK)?
            .get_or_init(|| Box::new(std::array::from_fn(|_| OnceBox::new())));
        Some(block[i % BLOCK].get_or_init(|| Box::new(make())))
    }

    /// Heap bytes: the block pointers, and each block allocated (not what the values hold).
    pub(crate) fn heap_bytes(&self) -> usize {
        let blocks = self.blocks.iter().filter(|b| b.get().is_some()).count();
        self.blocks.len() * std::mem::size_of::<usize>() + blocks * std::mem::size_of::<Block<T>>()
    }
}

/// A cache: a copy starts empty and builds its values again as they are asked for.
impl<T> Clone for LazyCells<T> {
    fn clone(&self) -> Self {
        LazyCells::new(self.len)
    }
}

impl<T> std::fmt::Debug for LazyCells<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LazyCells({} cells)", self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::LazyCells;
    use std::cell::Cell;

    #[test]
    fn builds_each_cell_once_and_only_blocks_asked_for() {
        let cells: LazyCells<String> = LazyCells::new(200);
        let made = Cell::new(0);
        let make = |i: usize| {
            made.set(made.get() + 1);
            format!("value {i}")
        };
        assert_eq!(cells.heap_bytes(), 4 * 8);
        for i in [0, 63, 64, 199, 0, 64] {
            assert_eq!(
                cells.get_or_init(i, || make(i)).map(String::as_str),
                Some(format!("value {i}").as_str())
            );
        }
        assert_eq!(made.get(), 4);
        assert_eq!(cells.get_or_init(200, || make(200)), None);
        assert_eq!(made.get(), 4);
        // Blocks 0, 1 and 3 were touched; block 2 (cells 128..192) was not.
        assert_eq!(cells.heap_bytes(), 4 * 8 + 3 * 64 * 8);
        let copy = cells.clone();
        assert_eq!(copy.heap_bytes(), 4 * 8);
    }
}
