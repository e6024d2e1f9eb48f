//! migrate: the schema brought up to date by the database's owner, and the server's role
//! granted only what it needs (docs/security.md, Database roles).

use crate::args::Format;
use crate::error::CliError;
use crate::load::StoreChoice;
use crate::output::emit;
use std::process::ExitCode;

pub fn run(
    choice: &StoreChoice,
    grant_to: Option<&str>,
    fmt: Format,
) -> Result<ExitCode, CliError> {
    let url = choice.url()?;
    let version = vires_store::migrate(&url, grant_to).map_err(|e| {
        CliError::input(
            format!("store: {e}"),
            "run it as the database's owner, with --db naming the database",
        )
    })?;
    let answer = serde_json::json!({ "schema_version": version, "granted_to": grant_to });
    emit(fmt, &answer, |_| {
        println!("the schema is at version {version}");
        if let Some(role) = grant_to {
            println!(
                "{role} may read, append to the change log and keep users, tokens, sessions, proposals and drafts; it owns nothing"
            );
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
