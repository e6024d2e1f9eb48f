//! # vires-bench
//!
//! How fast vires answers, against peers, on registers of realistic shape from 10^3 to
//! 10^6 instruments:
//!
//! - [`synth`]: a deterministic generator of synthetic registers (mergers each April,
//!   delegations, joint committees, partnerships, directions with purposes, amendments,
//!   revocations, thousands of practices) and of questions about them;
//! - [`cedar`] and [`sqlite`]: the same register and the same `may` question put to Cedar
//!   (policies with date conditions) and to SQLite (tables and a recursive query), with
//!   every answer compared before the same questions are timed;
//! - [`timing`]: per-call timing that keeps what each timed call answered, checked against
//!   the same questions asked untimed and against the answers compared with the peers;
//! - [`digest`]: a digest of what a snapshot says, from a canonical serialisation, to show
//!   that a change meant to make the build faster changes nothing;
//! - [`stats`]: medians, percentiles and the fitted growth exponent;
//! - [`plot`]: the SVG chart in `docs/performance.md`, drawn from the measured data.
//!
//! The `vires-bench` binary runs it all and writes `target/bench/summary.json`; see
//! `docs/performance.md`.

pub mod cedar;
pub mod digest;
pub mod plot;
pub mod sqlite;
pub mod stats;
pub mod synth;
pub mod timing;

/// A peer could not be set up or could not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerError(pub String);

impl std::fmt::Display for PeerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PeerError {}
