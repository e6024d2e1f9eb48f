//! Heavy questions (what-ifs, analyses over every practice, conflicts checks) run on the
//! blocking threads, a few at once, each with a [`Budget`] it checks inside its long loops.
//!
//! A request timeout drops the request's future but cannot stop a thread: so the work's
//! turn (a semaphore permit) moves into the blocking closure and is held until the work
//! stops, and dropping the future marks the budget spent, which the work sees at its next
//! check. Abandoned work therefore never piles up beyond `limits.max_heavy_work`, and stops
//! soon after nobody is waiting for it.

use crate::config::Limits;
use crate::problem::ApiError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The turns for heavy work.
pub struct HeavyWork {
    turns: Arc<Semaphore>,
    count: usize,
    wait: Duration,
    timeout: Duration,
}

/// A turn for heavy work; held by the work until it stops.
pub struct Turn(#[allow(dead_code)] tokio::sync::OwnedSemaphorePermit);

/// What a piece of heavy work may still spend: until its deadline, and while someone waits
/// for the answer.
#[derive(Clone)]
pub struct Budget {
    abandoned: Arc<AtomicBool>,
    deadline: Instant,
}

impl Budget {
    /// A budget with no limit but `timeout` (the CLI, tests).
    pub fn for_time(timeout: Duration) -> Budget {
        Budget {
            abandoned: Arc::new(AtomicBool::new(false)),
            deadline: Instant::now() + timeout,
        }
    }

    /// Whether the work should go on.
    pub fn left(&self) -> bool {
        !self.abandoned.load(Ordering::Relaxed) && Instant::now() < self.deadline
    }

    /// `Err` once the work should stop: nobody waits for it any more, or its time is up.
    pub fn check(&self) -> Result<(), ApiError> {
        if self.left() {
            Ok(())
        } else {
            Err(spent())
        }
    }
}

fn spent() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        "timeout",
        "Request timed out",
        "the question took longer than the server's request timeout (limits.request_timeout_secs) and was stopped; narrow it or try again",
    )
}

/// Marks the budget spent when the request's future is dropped (a timeout, or the client
/// going away) before the work is done.
struct AbandonOnDrop(Arc<AtomicBool>);

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl HeavyWork {
    pub fn new(limits: &Limits) -> HeavyWork {
        let count = match limits.max_heavy_work {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        HeavyWork {
            turns: Arc::new(Semaphore::new(count)),
            count,
            wait: Duration::from_millis(limits.heavy_wait_ms),
            timeout: Duration::from_secs(limits.request_timeout_secs.max(1)),
        }
    }

    /// Runs `f` on a blocking thread once a turn is free (503 if none is within
    /// `heavy_wait_ms`), with a budget that ends at the request timeout or when this
    /// future is dropped.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Budget) -> Result<T, ApiError> + Send + 'static,
    {
        let turn = self.turn().await?;
        self.run_in(turn, f).await
    }

    /// A turn for heavy work, waited for up to `heavy_wait_ms` (503 after that).
    pub async fn turn(&self) -> Result<Turn, ApiError> {
        tokio::time::timeout(self.wait, self.turns.clone().acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
            .map(Turn)
            .ok_or_else(|| self.busy())
    }

    /// [`HeavyWork::run`] in a turn already taken.
    pub async fn run_in<T, F>(&self, turn: Turn, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Budget) -> Result<T, ApiError> + Send + 'static,
    {
        let budget = Budget::for_time(self.timeout);
        let _abandon = AbandonOnDrop(budget.abandoned.clone());
        let done = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            budget.check()?;
            f(&budget)
        })
        .await
        .map_err(|e| ApiError::internal("answering the question", e))?;
        done
    }

    fn busy(&self) -> ApiError {
        ApiError::overloaded(format!(
            "the server is computing as many questions as it takes at once ({}, limits.max_heavy_work); try again in a moment",
            self.count
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn heavy(turns: usize, wait_ms: u64, timeout_secs: u64) -> HeavyWork {
        HeavyWork::new(&Limits {
            max_heavy_work: turns,
            heavy_wait_ms: wait_ms,
            request_timeout_secs: timeout_secs,
            ..Limits::default()
        })
    }

    /// Work whose request is dropped (as the timeout layer drops it) sees its budget spent
    /// and stops; until it stops it keeps its turn, so other work is refused, not stacked.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn abandoned_work_stops_and_keeps_its_turn_until_then() {
        let h = Arc::new(heavy(1, 50, 60));
        let (stopped_tx, stopped_rx) = mpsc::channel();
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let h2 = h.clone();
        let request = tokio::spawn(async move {
            h2.run(move |b| {
                let _ = started_tx.send(());
                let mut loops = 0u64;
                while b.left() {
                    loops += 1;
                    std::thread::sleep(Duration::from_millis(1));
                }
                let _ = stopped_tx.send((Instant::now(), loops));
                Ok(())
            })
            .await
        });
        started_rx.await.unwrap();
        // While it runs, the only turn is taken: more work is refused after the wait.
        let e = h.run(|_| Ok(())).await.unwrap_err();
        assert_eq!(e.status, axum::http::StatusCode::SERVICE_UNAVAILABLE);
        assert!(e.detail.contains("limits.max_heavy_work"), "{}", e.detail);
        // The request is abandoned: the work stops soon after.
        let dropped = Instant::now();
        request.abort();
        let (when, loops) =
            tokio::task::spawn_blocking(move || stopped_rx.recv_timeout(Duration::from_secs(5)))
                .await
                .unwrap()
                .expect("the abandoned work did not stop within 5 s");
        assert!(loops > 0);
        assert!(when.duration_since(dropped) < Duration::from_secs(1));
        // Its turn is free again.
        let again = tokio::time::timeout(Duration::from_secs(2), h.run(|_| Ok(7))).await;
        assert_eq!(again.unwrap().unwrap(), 7);
    }

    /// Work that outlives the request timeout stops at its next check even if the request
    /// is still waiting.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_past_the_timeout_stops_with_408() {
        let h = heavy(2, 50, 1);
        let started = Instant::now();
        let e = h
            .run(|b| -> Result<(), ApiError> {
                loop {
                    b.check()?;
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
            .await
            .unwrap_err();
        assert_eq!(e.status, axum::http::StatusCode::REQUEST_TIMEOUT);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_secs(1) && took < Duration::from_secs(3),
            "{took:?}"
        );
    }
}
