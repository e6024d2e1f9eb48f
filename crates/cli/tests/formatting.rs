//! Every `.vires` file the project ships (the examples and the national instruments under
//! data/) is in the formatter's layout: `vires fmt --check` on them, through the real binary,
//! passes, as the README says it does.

use std::path::{Path, PathBuf};
use std::process::Command;

fn vires_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            vires_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "vires") {
            out.push(path);
        }
    }
}

#[test]
fn every_shipped_vires_file_is_formatted() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    vires_files(&root.join("examples"), &mut files);
    vires_files(&root.join("data"), &mut files);
    files.sort();
    assert!(
        files.len() >= 16,
        "expected the examples and data/national, found {files:?}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .arg("fmt")
        .arg("--check")
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "not formatted (run `vires fmt FILE`):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The check can fail: a file out of layout is named and the exit code is 1.
#[test]
fn fmt_check_names_a_file_out_of_layout() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("loose.vires");
    std::fs::write(
        &file,
        "body   X1 { name \"A body\" kind ccg from 2013-04-01 }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(["fmt", "--check"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("loose.vires is not formatted"));
}
