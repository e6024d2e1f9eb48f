//! Fan-out of new revisions to subscribers in this process.

use crate::model::Revision;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Subscribers of one store handle, and the newest revision already announced, so each
/// revision is announced once however many paths (own write, NOTIFY, poll) report it.
#[derive(Debug, Default)]
pub(crate) struct Hub {
    inner: Mutex<HubInner>,
}

#[derive(Debug, Default)]
struct HubInner {
    subscribers: Vec<Sender<Revision>>,
    last: u64,
}

impl Hub {
    pub(crate) fn subscribe(&self) -> Subscription {
        let (tx, rx) = channel();
        self.lock().subscribers.push(tx);
        Subscription { rx }
    }

    /// Announces `rev` if it is newer than anything announced before.
    pub(crate) fn publish(&self, rev: Revision) {
        let mut inner = self.lock();
        if rev.0 <= inner.last {
            return;
        }
        inner.last = rev.0;
        inner.subscribers.retain(|s| s.send(rev).is_ok());
    }

    /// Records `rev` as known without announcing it (the state when watching starts).
    pub(crate) fn seen(&self, rev: Revision) {
        let mut inner = self.lock();
        inner.last = inner.last.max(rev.0);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubInner> {
        // A panic while holding this lock cannot leave the list half-updated in a way
        // that matters, so a poisoned lock is used as is.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A stream of new register revisions. Revisions arrive in increasing order; several
/// quick writes may be announced as one (the newest), so a subscriber should reload up to
/// the revision it receives rather than count announcements.
#[derive(Debug)]
pub struct Subscription {
    rx: Receiver<Revision>,
}

impl Subscription {
    /// Waits up to `timeout` for a new revision; returns the newest one queued.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Revision> {
        let first = match self.rx.recv_timeout(timeout) {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return None,
        };
        Some(self.rx.try_iter().fold(first, Revision::max))
    }

    /// The newest revision queued, without waiting.
    pub fn try_latest(&self) -> Option<Revision> {
        self.rx.try_iter().reduce(Revision::max)
    }

    /// Waits until a revision at or beyond `target` is announced, or `timeout` passes.
    pub fn wait_for(&self, target: Revision, timeout: Duration) -> Option<Revision> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.recv_timeout(left) {
                Some(r) if r >= target => return Some(r),
                Some(_) => {}
                None => return None,
            }
        }
    }
}
