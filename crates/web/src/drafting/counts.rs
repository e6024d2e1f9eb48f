//! The counts the header shows an editor: drafts not yet proposed, and proposals waiting
//! for them. Read by the request context on every page, so it names nothing of the pages.

use vires_store::{Role, StoreError};

/// How many things wait for a person: their unproposed drafts, and the pending proposals
/// they can act on (approvers: other people's; editors: their own).
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkCounts {
    pub drafts: usize,
    pub waiting: usize,
}

pub fn work_counts(
    store: &dyn vires_store::Store,
    user: &vires_store::User,
) -> Result<WorkCounts, StoreError> {
    let drafts = store
        .drafts(&user.name)?
        .iter()
        .filter(|d| d.proposal.is_none())
        .count();
    let waiting = store
        .proposals()?
        .iter()
        .filter(|p| p.status.is_pending())
        .filter(|p| {
            if user.role >= Role::Approver {
                p.proposed_by != user.name
            } else {
                p.proposed_by == user.name
            }
        })
        .count();
    Ok(WorkCounts { drafts, waiting })
}
