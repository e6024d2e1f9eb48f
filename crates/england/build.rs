//! Fingerprints the bundled data at build time: the files of `src/bundled_files.rs` (the one
//! list, which `src/bundle.rs` embeds), hashed as `bundle::fingerprint` defines (each name
//! and text, length-prefixed, in the list's order), so a start with a warm register cache
//! does not hash five megabytes on every run. A unit test in `bundle.rs` recomputes it from
//! the embedded texts and must agree.

use sha2::{Digest, Sha256};

/// Lists (the name hashed, the file's path from this crate) in the list's order.
macro_rules! bundled_files {
    ($($section:ident in $dir:literal {
        $($(#[$doc:meta])* $($id:ident =)? $name:literal;)*
    })*) => {
        const FILES: &[(&str, &str)] = &[$($(($name, concat!($dir, $name)),)*)*];
    };
}

include!("src/bundled_files.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/bundled_files.rs");
    let mut h = Sha256::new();
    for (name, path) in FILES {
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("the bundled file {path} cannot be read: {e}"));
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=VIRES_BUNDLE_FINGERPRINT=england:sha256:{hex}");
}
