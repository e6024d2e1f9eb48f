//! Machinery for speed and memory that the rules of law do not depend on: indexes without
//! copied keys, shared names, lazily built cells, threads, prefetch hints and heap
//! accounting.

pub(crate) mod heap_bytes;
pub(crate) mod instrument_index;
pub(crate) mod interner;
pub(crate) mod item_index;
pub(crate) mod lazy_cells;
pub(crate) mod names;
pub(crate) mod prefetch;
pub(crate) mod run_order;
pub(crate) mod side_by_side;
