//! The cached England register through the real binary: a warm start answers exactly as a
//! fresh build does, and a cache that is damaged, or was written by another binary or for
//! other data, is never believed.
//!
//! The file's layout is the one `crates/app/src/base_cache.rs` documents: `VIRESREG`, the
//! SHA-256 of the rest, the key's length (u32 little-endian), the key, the JSON image. The
//! tests write doctored files in that layout with a correct checksum, so only the key can
//! tell the binary not to trust them.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cache_file(&self) -> PathBuf {
        self.dir.path().join("cache").join("england.register")
    }

    fn vires(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_vires"))
            .args(args)
            .env(
                "VIRES_DB",
                format!("sqlite://{}", self.dir.path().join("s.db").display()),
            )
            .env("VIRES_CACHE_DIR", self.dir.path().join("cache"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }

    /// Runs `args`, which must succeed, and returns standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.vires(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The name `who` gives the holder of secondary care at A85001 (a Gateshead practice) on
/// 2024-06-01: NHS North East and North Cumbria ICB (QHM) since 2022-07-01.
fn holder_name(s: &Setup, extra: &[&str]) -> String {
    let mut args = vec![
        "--format",
        "json",
        "who",
        "-f",
        "commissioning.secondary-care",
        "--practice",
        "A85001",
        "--on",
        "2024-06-01",
    ];
    args.extend_from_slice(extra);
    let v: Value = serde_json::from_str(&s.ok(&args)).unwrap();
    let holders = v["holders"].as_array().unwrap();
    let qhm = holders
        .iter()
        .find(|h| h["body"] == "QHM")
        .unwrap_or_else(|| panic!("QHM holds it: {v}"));
    qhm["name"].as_str().unwrap().to_string()
}

struct CacheFile {
    key: String,
    image: Value,
}

fn parse(bytes: &[u8]) -> CacheFile {
    assert_eq!(&bytes[..8], b"VIRESREG");
    assert_eq!(
        Sha256::digest(&bytes[40..]).as_slice(),
        &bytes[8..40],
        "the file's checksum covers everything after it"
    );
    let len = u32::from_le_bytes(bytes[40..44].try_into().unwrap()) as usize;
    CacheFile {
        key: String::from_utf8(bytes[44..44 + len].to_vec()).unwrap(),
        image: serde_json::from_slice(&bytes[44 + len..]).unwrap(),
    }
}

fn write(path: &Path, file: &CacheFile) {
    let mut body = (file.key.len() as u32).to_le_bytes().to_vec();
    body.extend_from_slice(file.key.as_bytes());
    body.extend_from_slice(&serde_json::to_vec(&file.image).unwrap());
    let mut bytes = b"VIRESREG".to_vec();
    bytes.extend_from_slice(&Sha256::digest(&body));
    bytes.extend_from_slice(&body);
    std::fs::write(path, bytes).unwrap();
}

/// The image with QHM renamed, so an answer read from it shows the new name.
fn with_qhm_renamed(mut file: CacheFile, name: &str) -> CacheFile {
    let bodies = file.image["bodies"].as_array_mut().unwrap();
    let mut renamed = 0;
    for b in bodies.iter_mut() {
        if b[0]["code"] == "QHM" {
            b[0]["name"] = Value::from(name);
            renamed += 1;
        }
    }
    assert_eq!(renamed, 1, "one body QHM");
    file
}

/// Questions over many practices, functions and dates, as a `who --batch` CSV: every 7th
/// practice of the bundled epraccur extract, for three functions on four dates.
fn questions(dir: &Path) -> PathBuf {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(root().join("data/ods/ods_epraccur_2019_12.csv"))
        .unwrap();
    let codes: Vec<String> = r
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .step_by(7)
        .collect();
    assert!(codes.len() > 1000, "{}", codes.len());
    let mut text = String::from("function,place,date,purpose\n");
    for (n, code) in codes.iter().enumerate() {
        let f = [
            "commissioning.secondary-care",
            "commissioning.primary-care.medical",
            "commissioning.specialised",
        ][n % 3];
        let on = ["2014-01-01", "2019-12-01", "2022-07-01", "2025-06-01"][n % 4];
        text.push_str(&format!("{f},{code},{on},\n"));
    }
    let path = dir.join("questions.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_warm_start_answers_exactly_as_a_fresh_build() {
    let s = Setup::new();
    let q = questions(s.dir.path());
    let q = q.to_str().unwrap();
    let asks: Vec<Vec<&str>> = vec![
        vec!["--format", "json", "who", "--batch", q],
        vec!["who", "--batch", q],
        vec!["--format", "json", "bodies", "--on", "2020-01-01"],
        vec!["--format", "json", "instruments"],
        vec!["--format", "json", "functions"],
        vec!["--format", "json", "powers"],
        vec!["--format", "json", "map", "--to", "2023-04-01"],
        vec!["--format", "json", "lineage", "00F"],
        vec!["--format", "json", "what", "QHM", "--on", "2024-06-01"],
        vec![
            "--format",
            "json",
            "timeline",
            "-f",
            "commissioning.secondary-care",
            "--practice",
            "A85001",
        ],
        vec!["--format", "json", "diff", "2022-06-30", "2022-07-01"],
        vec!["--format", "json", "find", "bolton"],
        vec![
            "--format",
            "json",
            "expiring",
            "--on",
            "2024-01-01",
            "--days",
            "3650",
        ],
        // Findings on the bundled register point into the national files by line and
        // column: the spans survive the cache too.
        vec!["check"],
    ];
    let run = |extra: &[&str]| -> Vec<(Option<i32>, Vec<u8>, String)> {
        asks.iter()
            .map(|a| {
                let mut args = extra.to_vec();
                args.extend_from_slice(a);
                let out = s.vires(&args);
                let err = stderr(&out);
                (out.status.code(), out.stdout, err)
            })
            .collect()
    };
    let cold = run(&["--no-cache"]);
    assert!(!s.cache_file().exists(), "--no-cache writes no cache");
    let first = run(&[]);
    let written = std::fs::metadata(s.cache_file())
        .unwrap()
        .modified()
        .unwrap();
    let warm = run(&[]);
    assert_eq!(
        std::fs::metadata(s.cache_file())
            .unwrap()
            .modified()
            .unwrap(),
        written,
        "warm runs read the cache and leave it as it was"
    );
    for (n, a) in asks.iter().enumerate() {
        assert_eq!(cold[n].0, warm[n].0, "{a:?}: exit code");
        assert!(
            cold[n].1 == warm[n].1 && cold[n].1 == first[n].1,
            "{a:?}: the answers differ:\n{}\n---\n{}",
            String::from_utf8_lossy(&cold[n].1),
            String::from_utf8_lossy(&warm[n].1)
        );
        assert_eq!(cold[n].2, warm[n].2, "{a:?}: messages");
    }
    assert!(cold[0].1.len() > 100_000, "many answers were compared");
}

#[test]
fn the_cache_is_read_when_its_key_matches_and_not_otherwise() {
    let s = Setup::new();
    let real = holder_name(&s, &[]);
    assert!(real.contains("North East and North Cumbria"), "{real}");
    let good = parse(&std::fs::read(s.cache_file()).unwrap());

    // With this binary's key, the doctored image is believed: the warm path reads the file.
    write(
        &s.cache_file(),
        &with_qhm_renamed(
            parse(&std::fs::read(s.cache_file()).unwrap()),
            "Doctored ICB",
        ),
    );
    assert_eq!(holder_name(&s, &[]), "Doctored ICB");
    assert_eq!(
        holder_name(&s, &["--no-cache"]),
        real,
        "--no-cache builds afresh"
    );

    // Written by another version of vires: rebuilt, and the answer is right again.
    let other_version = CacheFile {
        key: good.key.replacen("vires 0", "vires 99", 1),
        ..with_qhm_renamed(
            parse(&std::fs::read(s.cache_file()).unwrap()),
            "Doctored ICB",
        )
    };
    assert_ne!(other_version.key, good.key);
    write(&s.cache_file(), &other_version);
    assert_eq!(holder_name(&s, &[]), real);
    assert_eq!(parse(&std::fs::read(s.cache_file()).unwrap()).key, good.key);

    // Made from other data (another fingerprint): rebuilt.
    let (head, _) = good.key.split_once("; base ").unwrap();
    let other_data = CacheFile {
        key: format!(
            "{head}; base 0000000000000000000000000000000000000000000000000000000000000000"
        ),
        ..with_qhm_renamed(
            parse(&std::fs::read(s.cache_file()).unwrap()),
            "Doctored ICB",
        )
    };
    write(&s.cache_file(), &other_data);
    assert_eq!(holder_name(&s, &[]), real);
    let rebuilt = parse(&std::fs::read(s.cache_file()).unwrap());
    assert_eq!(rebuilt.key, good.key);
    assert_eq!(rebuilt.image, good.image);
}

#[test]
fn a_damaged_cache_is_rebuilt_with_a_note() {
    let s = Setup::new();
    let real = holder_name(&s, &[]);
    let good = std::fs::read(s.cache_file()).unwrap();
    let ask = [
        "who",
        "-f",
        "commissioning.secondary-care",
        "--practice",
        "A85001",
        "--on",
        "2024-06-01",
    ];
    let truncated = good[..good.len() / 2].to_vec();
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x20;
    let damages: [(&str, Vec<u8>, &str); 5] = [
        ("truncated", truncated, "checksum"),
        ("one byte altered", flipped, "checksum"),
        ("empty", Vec::new(), "too short"),
        (
            "another file",
            b"this is not a register cache at all, but long enough".to_vec(),
            "not a vires register cache",
        ),
        ("header only", good[..44].to_vec(), "checksum"),
    ];
    for (what, bytes, why) in damages {
        std::fs::write(s.cache_file(), &bytes).unwrap();
        let out = s.vires(&ask);
        assert!(out.status.success(), "{what}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("register cache") && err.contains("damaged") && err.contains(why),
            "{what}: the note says why: {err}"
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("North East and North Cumbria"),
            "{what}"
        );
        assert_eq!(
            std::fs::read(s.cache_file()).unwrap(),
            good,
            "{what}: rebuilt whole"
        );
        assert_eq!(holder_name(&s, &[]), real, "{what}");
    }

    // A sound checksum over an image that does not hang together (a membership naming a
    // practice that is not there) is damage too, not a panic.
    let mut file = parse(&good);
    let practices = file.image["practices"].as_array().unwrap().len();
    file.image["memberships"][0][0] = Value::from(practices + 5);
    write(&s.cache_file(), &file);
    let out = s.vires(&ask);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("damaged"), "{}", stderr(&out));
    assert_eq!(std::fs::read(s.cache_file()).unwrap(), good);
}
