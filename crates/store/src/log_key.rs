//! The log key: a secret kept outside the database. With it the store signs a checkpoint
//! over the log's head after every write (HMAC-SHA256 of the head's sequence number and
//! hash). Each entry's hash covers the one before, so a checkpoint vouches for every entry
//! up to it; someone who can write to the database but does not hold the key can rewrite
//! entries and recompute their SHA-256 hashes, but cannot make the checkpoints match.

use crate::error::StoreError;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::Write;
use std::path::Path;

/// The environment variable naming the key file, for the CLI and the server.
pub const KEY_FILE_ENV: &str = "VIRES_LOG_KEY_FILE";

/// What a key file starts with, so a stray file is not taken for a key.
const FILE_PREFIX: &str = "vires-log-key-1:";

/// A 256-bit key for log checkpoints. Its [`Debug`] form shows only its id.
#[derive(Clone)]
pub struct LogKey {
    secret: [u8; 32],
    id: String,
}

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogKey({})", self.id)
    }
}

type HmacSha256 = Hmac<Sha256>;

impl LogKey {
    fn from_secret(secret: [u8; 32]) -> LogKey {
        let mut id = LogKey {
            secret,
            id: String::new(),
        };
        // The id is itself a MAC, so it names the key without saying anything about it.
        id.id = id.mac_of(&[b"vires-log-key-id"])[..16].to_string();
        id
    }

    /// A new random key.
    pub fn generate() -> Result<LogKey, StoreError> {
        let mut secret = [0u8; 32];
        OsRng
            .try_fill_bytes(&mut secret)
            .map_err(|e| StoreError::Hashing(format!("no randomness from the OS: {e}")))?;
        Ok(LogKey::from_secret(secret))
    }

    /// Writes a new random key to `path`, which must not exist yet, readable by its owner
    /// only.
    pub fn create_file(path: &Path) -> Result<LogKey, StoreError> {
        let key = LogKey::generate()?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| {
            key_error(
                path,
                format!("cannot create it: {e}; name a file that does not exist yet"),
            )
        })?;
        writeln!(file, "{FILE_PREFIX}{}", hex::encode(key.secret))
            .and_then(|()| file.sync_all())
            .map_err(|e| key_error(path, format!("cannot write it: {e}")))?;
        Ok(key)
    }

    /// Reads the key in `path`. A file others may read is refused: whoever reads the key can
    /// forge checkpoints.
    pub fn read_file(path: &Path) -> Result<LogKey, StoreError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(path)
                .map_err(|e| key_error(path, format!("cannot read it: {e}")))?;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(key_error(
                    path,
                    format!("its permissions {mode:o} let others read it; `chmod 600` it and check who copied it"),
                ));
            }
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| key_error(path, format!("cannot read it: {e}")))?;
        let not_a_key = || {
            key_error(
                path,
                "it is not a vires log key (make one with `vires audit keygen --out PATH`)".into(),
            )
        };
        let hex_part = text
            .trim()
            .strip_prefix(FILE_PREFIX)
            .ok_or_else(not_a_key)?;
        let bytes = hex::decode(hex_part).map_err(|_| not_a_key())?;
        let secret: [u8; 32] = bytes.try_into().map_err(|_| not_a_key())?;
        Ok(LogKey::from_secret(secret))
    }

    /// The key named by [`KEY_FILE_ENV`], if it is set.
    pub fn from_env() -> Result<Option<LogKey>, StoreError> {
        match std::env::var_os(KEY_FILE_ENV) {
            Some(p) if !p.is_empty() => LogKey::read_file(Path::new(&p)).map(Some),
            _ => Ok(None),
        }
    }

    /// A public name for the key (16 hex digits), stored with each checkpoint.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn mac_of(&self, parts: &[&[u8]]) -> String {
        hex::encode(self.hmac(parts).finalize().into_bytes())
    }

    fn hmac(&self, parts: &[&[u8]]) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p);
        }
        mac
    }

    /// The MAC of a checkpoint over entry `seq` with hash `hash`.
    pub fn checkpoint_mac(&self, seq: i64, hash: &str) -> String {
        self.mac_of(&[
            b"vires-log-checkpoint-1",
            &seq.to_be_bytes(),
            hash.as_bytes(),
        ])
    }

    /// Whether `mac` is this key's MAC of a checkpoint over `seq` and `hash`, compared in
    /// constant time.
    pub fn checkpoint_verifies(&self, seq: i64, hash: &str, mac: &str) -> bool {
        let Ok(given) = hex::decode(mac) else {
            return false;
        };
        self.hmac(&[
            b"vires-log-checkpoint-1",
            &seq.to_be_bytes(),
            hash.as_bytes(),
        ])
        .verify_slice(&given)
        .is_ok()
    }
}

fn key_error(path: &Path, why: String) -> StoreError {
    StoreError::LogKey(format!("the log key file {}: {why}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2: HMAC-SHA256 with key "Jefe" over "what do ya want for nothing?".
    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_checkpoint_verifies_only_with_its_key_seq_and_hash() {
        let k = LogKey::generate().unwrap();
        let other = LogKey::generate().unwrap();
        let mac = k.checkpoint_mac(7, "abc");
        assert!(k.checkpoint_verifies(7, "abc", &mac));
        assert!(!k.checkpoint_verifies(8, "abc", &mac));
        assert!(!k.checkpoint_verifies(7, "abd", &mac));
        assert!(!other.checkpoint_verifies(7, "abc", &mac));
        assert!(!k.checkpoint_verifies(7, "abc", "not hex"));
        assert_ne!(k.id(), other.id());
        assert!(!format!("{k:?}").contains(&hex::encode(k.secret)));
    }

    #[test]
    fn key_files_are_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.key");
        let k = LogKey::create_file(&path).unwrap();
        assert_eq!(LogKey::read_file(&path).unwrap().id(), k.id());
        assert!(
            LogKey::create_file(&path).is_err(),
            "an existing file was overwritten"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = LogKey::read_file(&path).unwrap_err().to_string();
            assert!(e.contains("let others read it"), "{e}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        std::fs::write(&path, "hello").unwrap();
        let e = LogKey::read_file(&path).unwrap_err().to_string();
        assert!(e.contains("not a vires log key"), "{e}");
    }
}
