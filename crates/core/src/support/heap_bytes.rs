//! Heap bytes held by a snapshot's own tables, part by part, from their capacities. The
//! benchmark prints them beside the bytes a counting allocator saw, so that work on memory
//! per instrument can start from where the bytes are rather than from guesses.

use hashbrown::HashTable;
use std::collections::HashMap;
use std::mem::size_of;

/// Bytes a value holds on the heap, not counting its own inline size.
pub(crate) trait HeapBytes {
    fn heap_bytes(&self) -> usize;
}

impl<T: HeapBytes> HeapBytes for Vec<T> {
    fn heap_bytes(&self) -> usize {
        self.capacity() * size_of::<T>() + self.iter().map(HeapBytes::heap_bytes).sum::<usize>()
    }
}

/// Implements [`HeapBytes`] as 0 for types that hold nothing on the heap. Each module
/// declares its own, so this file names no type of the crate.
macro_rules! flat {
    ($($t:ty),*) => { $(impl $crate::support::heap_bytes::HeapBytes for $t { fn heap_bytes(&self) -> usize { 0 } })* };
}
pub(crate) use flat;

flat!(u32, bool);

impl HeapBytes for String {
    fn heap_bytes(&self) -> usize {
        self.capacity()
    }
}

/// hashbrown's tables: a bucket and one control byte per bucket, plus a group of control
/// bytes at the end (16 on x86-64).
fn table_bytes(buckets: usize, entry: usize) -> usize {
    if buckets == 0 {
        0
    } else {
        buckets * (entry + 1) + 16
    }
}

/// Buckets behind a capacity: hashbrown keeps at most 7/8 of a power of two full.
fn buckets_for(capacity: usize) -> usize {
    if capacity == 0 {
        0
    } else if capacity < 8 {
        if capacity < 4 {
            4
        } else {
            8
        }
    } else {
        (capacity * 8 / 7).next_power_of_two()
    }
}

impl<T> HeapBytes for HashTable<T> {
    fn heap_bytes(&self) -> usize {
        table_bytes(buckets_for(self.capacity()), size_of::<T>())
    }
}

impl<K, V, S> HeapBytes for HashMap<K, V, S> {
    fn heap_bytes(&self) -> usize {
        table_bytes(buckets_for(self.capacity()), size_of::<(K, V)>())
    }
}
