//! vires-lang (being built).
