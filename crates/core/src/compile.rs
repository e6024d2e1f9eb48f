//! Compile (being built).
