//! Answers from a compiled snapshot: who holds a function, may a body exercise it, what a
//! body holds, with their proofs; the analyses, lineage, search and trials of changes; and
//! the JSON contract types they are given in.

pub mod analysis;
mod caveat_parts;
pub mod explain;
pub mod kept_back;
pub mod knowledge;
pub mod knowledge_index;
pub mod lineage;
mod may;
mod naming;
pub mod place_keys;
pub mod place_parts;
pub mod query;
mod reservations;
pub mod resolve;
pub mod search;
pub mod trial;
pub mod whatif;
