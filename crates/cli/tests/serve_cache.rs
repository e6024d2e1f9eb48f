//! `vires serve` keeps the built England register in the cache folder like every other
//! command: it writes it there, reads it back on the next start (a damaged copy is noticed
//! and rebuilt), and with --no-cache leaves the folder alone.

mod common;

use common::{free_port, http};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `vires serve` with `cache` as VIRES_CACHE_DIR, waits until it answers, stops it,
/// and returns what it logged.
fn serve_once(dir: &Path, cache: &Path, extra: &[&str]) -> String {
    let port = free_port();
    let log = dir.join(format!("serve-{port}.log"));
    let mut args = extra.to_vec();
    let addr = format!("127.0.0.1:{port}");
    args.extend(["serve", "--addr", &addr]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(&args)
        .env(
            "VIRES_DB",
            format!("sqlite://{}", dir.join("s.db").display()),
        )
        .env("VIRES_CACHE_DIR", cache)
        .env("VIRES_LOG", "info")
        .env_remove("VIRES_CONFIG")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut up = false;
    while Instant::now() < deadline {
        if http(port, "GET", "/healthz", None, None).is_ok_and(|r| r.status == 200) {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(up, "the server did not start: {text}");
    text
}

#[test]
fn serve_writes_reads_and_rebuilds_the_register_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let image = cache.join("england.register");

    serve_once(dir.path(), &cache, &[]);
    let first = std::fs::read(&image).expect("serve kept the register in the cache");
    assert!(first.starts_with(b"VIRESREG"));

    // A damaged copy is read, found out, and rebuilt: proof that serve reads the cache.
    let mut damaged = first.clone();
    let n = damaged.len();
    damaged[n / 2] ^= 0xff;
    std::fs::write(&image, &damaged).unwrap();
    let log = serve_once(dir.path(), &cache, &[]);
    assert!(log.contains("damaged"), "{log}");
    let rebuilt = std::fs::read(&image).unwrap();
    assert!(rebuilt.starts_with(b"VIRESREG") && rebuilt != damaged);

    // With --no-cache the folder is neither read nor written.
    let other = dir.path().join("other-cache");
    serve_once(dir.path(), &other, &["--no-cache"]);
    assert!(!other.join("england.register").exists());
}
