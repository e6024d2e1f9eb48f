//! Shell completions and the man page come from the same argument definitions as --help:
//! every subcommand `vires --help` lists is in both, and the bash script is valid bash.

use std::process::Command;

fn vires(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn subcommands() -> Vec<String> {
    let help = vires(&["--help"]);
    let section = help
        .split("Commands:")
        .nth(1)
        .and_then(|s| s.split("Options:").next())
        .unwrap()
        .to_string();
    section
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn completions_cover_every_subcommand_and_parse() {
    let subs = subcommands();
    assert!(subs.len() > 25, "{subs:?}");
    let bash = vires(&["completions", "bash"]);
    for s in &subs {
        assert!(
            bash.contains(&format!("vires__{s}")) || bash.contains(&format!("vires,{s}")),
            "bash lacks {s}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vires.bash");
    std::fs::write(&file, &bash).unwrap();
    let status = Command::new("bash").arg("-n").arg(&file).status().unwrap();
    assert!(status.success(), "bash -n rejects the completion script");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = vires(&["completions", shell]);
        assert!(
            script.contains("find") && script.contains("--batch"),
            "{shell}"
        );
    }
}

#[test]
fn the_man_page_documents_every_subcommand() {
    let man = vires(&["man"]);
    assert!(
        man.contains(".TH vires 1"),
        "{}",
        &man[..200.min(man.len())]
    );
    for s in subcommands() {
        assert!(man.contains(&s), "the man page lacks {s}");
    }
}
