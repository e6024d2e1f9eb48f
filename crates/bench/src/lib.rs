//! vires-bench (being built).
