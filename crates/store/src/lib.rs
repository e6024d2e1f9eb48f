//! vires-store (being built).
