//! vires-server (being built).
