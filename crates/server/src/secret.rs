//! Comparing secrets (tokens, anti-forgery tokens, the sign-in flow's state) so that the
//! time taken tells an attacker nothing. Its own module because the token check, the
//! organisation sign-in and the web UI's forms all use it.

/// Compares secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
