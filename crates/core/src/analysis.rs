//! Analyses (being built).
