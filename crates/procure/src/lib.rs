//! vires-procure (being built).
