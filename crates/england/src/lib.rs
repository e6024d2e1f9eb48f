//! vires-england (being built).
