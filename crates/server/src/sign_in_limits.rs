//! How often a client, and a token id, may try to sign in, and how many argon2
//! verifications run at once.
//!
//! The work to bound is the argon2 verification of a token not yet in the cache (about
//! 60 ms and 19 MiB in a release build). It happens behind any route that accepts
//! `Authorization: Bearer`, in `POST /auth/login` and `POST /ui/login` with the token in the
//! body, and an organisation sign-in makes a request to the issuer. A tower layer (such as
//! `tower_governor`) limits requests to routes by what it sees in their headers, so it could
//! neither limit by a token id inside a body nor leave alone the requests whose token is
//! already verified; so the keyed limiters of `governor` (the crate `tower_governor` is built
//! on) are checked here, where the work is, by client address and by token id.
//!
//! Every token id, known or not, goes through the same checks, so the limits tell nothing
//! about which ids exist.

use crate::config::AuthConfig;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub struct SignInLimits {
    per_client: DefaultKeyedRateLimiter<IpAddr>,
    per_token: DefaultKeyedRateLimiter<String>,
    /// At most this many argon2 verifications at once: 400 parallel logins took the
    /// server's memory from 87 MB to 832 MB when nothing held them back.
    verifying: tokio::sync::Semaphore,
}

/// Which limit a refused attempt hit, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub by: Limit,
    pub retry_after: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Client,
    TokenId,
}

/// The address used for clients whose address is unknown (a test router without a socket).
const UNKNOWN: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl SignInLimits {
    pub fn new(auth: &AuthConfig) -> SignInLimits {
        let parallel = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
        SignInLimits {
            per_client: DefaultKeyedRateLimiter::keyed(per_minute(
                auth.sign_ins_per_minute_per_client,
            )),
            per_token: DefaultKeyedRateLimiter::keyed(per_minute(
                auth.sign_ins_per_minute_per_token,
            )),
            verifying: tokio::sync::Semaphore::new(parallel.max(2)),
        }
    }

    /// Counts one attempt by `client` (and, for a token, by its id; a malformed token counts
    /// under the empty id). Refused attempts do no work.
    pub fn attempt(&self, client: Option<IpAddr>, token_id: Option<&str>) -> Result<(), Refused> {
        let clock = governor::clock::Clock::now(self.per_client.clock());
        let client = client.unwrap_or(UNKNOWN);
        self.per_client.check_key(&client).map_err(|n| Refused {
            by: Limit::Client,
            retry_after: n.wait_time_from(clock),
        })?;
        if let Some(id) = token_id {
            // Ids are short; a long "id" is no token and is counted as one key.
            let key = if id.len() <= 64 { id } else { "" };
            self.per_token
                .check_key(&key.to_string())
                .map_err(|n| Refused {
                    by: Limit::TokenId,
                    retry_after: n.wait_time_from(clock),
                })?;
        }
        Ok(())
    }

    /// Waits for a turn to run an argon2 verification.
    pub async fn verification_turn(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.verifying.acquire().await.ok()
    }

    /// Forgets clients and ids whose limits have fully recovered, so the maps stay small.
    pub fn forget_idle(&self) {
        self.per_client.retain_recent();
        self.per_token.retain_recent();
        self.per_client.shrink_to_fit();
        self.per_token.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(client: u32, token: u32) -> SignInLimits {
        SignInLimits::new(&AuthConfig {
            sign_ins_per_minute_per_client: client,
            sign_ins_per_minute_per_token: token,
            ..AuthConfig::default()
        })
    }

    #[test]
    fn a_client_gets_its_quota_then_waits() {
        let l = limits(3, 100);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(l.attempt(Some(a), Some("x")), Ok(()));
        }
        let refused = l.attempt(Some(a), Some("x")).unwrap_err();
        assert_eq!(refused.by, Limit::Client);
        // One attempt a minute comes back every 20 s at 3 a minute.
        assert!(
            refused.retry_after > Duration::from_secs(15)
                && refused.retry_after <= Duration::from_secs(20)
        );
        assert_eq!(l.attempt(Some(b), Some("x")), Ok(()));
    }

    #[test]
    fn a_token_id_gets_its_quota_from_any_client() {
        let l = limits(100, 2);
        let clients: Vec<IpAddr> = (1..=3)
            .map(|i| format!("192.0.2.{i}").parse().unwrap())
            .collect();
        assert_eq!(l.attempt(Some(clients[0]), Some("id1")), Ok(()));
        assert_eq!(l.attempt(Some(clients[1]), Some("id1")), Ok(()));
        assert_eq!(
            l.attempt(Some(clients[2]), Some("id1")).unwrap_err().by,
            Limit::TokenId
        );
        assert_eq!(l.attempt(Some(clients[2]), Some("id2")), Ok(()));
    }
}
