//! Secrets: random tokens, argon2 for API tokens, SHA-256 for session ids.
//!
//! API tokens are long-lived and may be copied into scripts, so they are stored with
//! argon2 as the issue asks; a token carries a public id so that checking it costs one
//! argon2 verification, not one per stored token. Session ids are 256 random bits,
//! looked up on every request: guessing one is hopeless whatever the hash, so a fast
//! SHA-256 keyed lookup is enough and keeps requests cheap.

use crate::error::StoreError;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

/// The prefix of every API token, so a leaked one is recognisable in logs and scanners.
pub(crate) const TOKEN_PREFIX: &str = "vires_";

pub(crate) fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    OsRng
        .try_fill_bytes(&mut buf)
        .map_err(|e| StoreError::Hashing(format!("no randomness from the OS: {e}")))?;
    Ok(hex::encode(buf))
}

pub(crate) fn argon2_hash(secret: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Hashing(e.to_string()))
}

pub(crate) fn argon2_verify(secret: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

pub(crate) fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The public id of an API token (`vires_<id>.<secret>`), if it has that shape.
pub fn token_id(token: &str) -> Option<&str> {
    split_token(token).map(|(id, _)| id)
}

/// An argon2 hash of a secret nobody knows, made once per process, with the same
/// parameters as real token hashes: a token whose id is unknown (or revoked, or malformed)
/// is verified against it, so it costs the same work as a known id with a wrong secret.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        random_hex(32)
            .and_then(|s| argon2_hash(&s))
            // Without randomness a fixed secret's hash still costs the same to check.
            .or_else(|_| argon2_hash("vires-decoy"))
            .unwrap_or_default()
    })
}

/// Splits `vires_<id>.<secret>` into its parts.
pub(crate) fn split_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.trim().strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('.')?;
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2_round_trip() {
        let h = argon2_hash("s3cret").unwrap();
        assert!(h.starts_with("$argon2"));
        assert!(argon2_verify("s3cret", &h));
        assert!(!argon2_verify("s3cret!", &h));
        assert!(!argon2_verify("s3cret", "not a hash"));
    }

    #[test]
    fn tokens_split() {
        assert_eq!(split_token("vires_ab.cd"), Some(("ab", "cd")));
        assert_eq!(split_token("vires_ab"), None);
        assert_eq!(split_token("other_ab.cd"), None);
        assert_eq!(split_token("vires_.cd"), None);
    }
}
