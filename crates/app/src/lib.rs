//! # vires-app
//!
//! The application layer of vires: what the command line, the HTTP API and the web UI all
//! do, done once, so the three give the same answers and the same refusals. It sits between
//! the domain crates (`vires-core`, `vires-lang`, `vires-england`, `vires-store`,
//! `vires-procure`, `vires-workflow`), which know the law and the data, and the adapters
//! (`crates/cli`, `crates/server`, `crates/web`), which only read requests and write
//! responses.
//!
//! - [`location`]: the default store location (one rule for the CLI and the server).
//! - [`store`]: opening a store and binding it to its base register.
//! - [`base`]: the base register the change log applies to, and its fingerprint.
//! - [`base_cache`]: the base register kept on disk between runs, for an instant start.
//! - [`replay`]: the base plus the log's changes, now, at a revision or as recorded then.
//! - [`today`]: today's date in England (Europe/London), whatever the machine's zone.
//! - [`place`]: places as users type them (one rule for upper-casing codes).
//! - [`trial`]: changes tried on a copy of the register, with one policy for void ones.
//! - [`record`]: recording changes, batches, rounds and proposals in the store.
//! - [`csv`]: the one CSV writer every download uses, safe to open in a spreadsheet.
//! - [`conflicts_csv`]: registers of interests and decision records as published CSV.
//! - [`cookie`]: reading a cookie from request headers.
//!
//! Nothing here prints or knows HTTP: functions return data and typed errors, and each
//! adapter renders them its own way.

pub mod base;
pub mod base_cache;
pub mod conflicts_csv;
pub mod cookie;
pub mod csv;
mod error;
pub mod location;
pub mod place;
pub mod record;
pub mod replay;
pub mod store;
pub mod today;
pub mod trial;

pub use error::AppError;
pub use today::today;
