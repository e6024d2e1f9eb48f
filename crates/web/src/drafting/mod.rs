//! Drafting (editor role and up): write an instrument as a form or as `.vires` text, see
//! at once whether it is valid against the register the server holds (the same
//! diagnostics as `vires check`, each next to its field), preview what it would change on
//! the day it takes effect, and propose it for a second person to approve. "My work"
//! lists a person's drafts, their proposals and, for approvers, the proposals waiting for
//! them.
//!
//! - [`form`]: the fields each kind asks for; [`read`] turns them into `.vires` text;
//!   [`text_fields`] goes back from text to fields; [`search`] finds what terms name.
//! - [`check`]: a draft's text checked against the register (the one trial of changes).
//! - [`counts`]: what waits for a person, for the header.
//! - [`widgets`]: the form's inputs; [`pages`], [`preview`], [`propose`] and [`work`]: the
//!   pages.

mod check;
pub(crate) mod counts;
pub(crate) mod form;
mod pages;
mod preview;
mod propose;
mod read;
mod search;
mod text_fields;
mod widgets;
mod work;

pub(crate) use check::{proposal_checks, Drafted};
pub(crate) use pages::{create, edit, new_form, paste, save, text};
pub(crate) use preview::preview;
pub(crate) use propose::{propose, propose_form};
pub(crate) use work::work;

use crate::context::Ctx;
use crate::error::WebError;
use vires_store::{Draft, Role, StoreError};

pub(super) async fn blocking<T: Send + 'static>(
    ctx: &Ctx,
    doing: &'static str,
    f: impl FnOnce(&dyn vires_store::Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, WebError> {
    let store = ctx.state.store().clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .map_err(|e| WebError::internal(doing, e))?
        .map_err(|e| WebError::internal(doing, e))
}

pub(super) async fn own_draft(ctx: &Ctx, id: &str) -> Result<Draft, WebError> {
    let user = ctx.require(Role::Editor, "draft changes")?.name.clone();
    let not_found = || {
        WebError::not_found_thing(
            format!("You have no draft {id}."),
            "Open My work and choose one of your drafts.",
        )
        .with_link("My work", "/ui/work")
    };
    let n: u64 = id.parse().map_err(|_| not_found())?;
    let d = blocking(ctx, "reading the draft", move |s| s.draft(n)).await?;
    match d {
        Some(d) if d.owner == user => Ok(d),
        _ => Err(not_found()),
    }
}

pub(super) fn csrf(ctx: &Ctx) -> String {
    ctx.session
        .as_ref()
        .map(|s| s.csrf.clone())
        .unwrap_or_default()
}
