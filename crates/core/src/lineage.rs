//! Lineage (being built).
