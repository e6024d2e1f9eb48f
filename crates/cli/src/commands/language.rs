//! fmt and export: the language tools, which work on files without compiling a register.

use crate::error::CliError;
use crate::load::read_sources;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn fmt(files: &[PathBuf], check: bool) -> Result<ExitCode, CliError> {
    let mut unformatted = 0;
    let mut failed = 0;
    for path in files {
        let text = crate::load::read_text(path)?;
        match vires_lang::format(&text) {
            Ok(formatted) if formatted == text => {}
            Ok(formatted) => {
                unformatted += 1;
                if check {
                    println!("{} is not formatted", path.display());
                } else {
                    std::fs::write(path, formatted).map_err(|source| CliError::Io {
                        path: path.display().to_string(),
                        source,
                    })?;
                    println!("formatted {}", path.display());
                }
            }
            Err(errors) => {
                failed += 1;
                let mut sources = vires_lang::Sources::new();
                sources.add(path.display().to_string(), text);
                let color = crate::output::color_stderr();
                eprint!("{}", vires_lang::render(&sources, &errors.0, &[], color));
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} file(s) could not be parsed; nothing was written to them");
        return Ok(ExitCode::from(1));
    }
    Ok(if check && unformatted > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The register the store holds as JSON: its bodies and instruments, in the forms the
/// change log records them.
pub fn export_register(s: &vires_core::Snapshot) -> Result<ExitCode, CliError> {
    let r = s.register();
    crate::output::json(&serde_json::json!({
        "bodies": r.bodies,
        "instruments": r.instruments,
    }))?;
    Ok(ExitCode::SUCCESS)
}

pub fn export(files: &[PathBuf]) -> Result<ExitCode, CliError> {
    if files.is_empty() {
        return Err(CliError::Usage(
            "export needs .vires files (as arguments or with --register)".into(),
        ));
    }
    let sources = read_sources(files)?;
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in sources.iter() {
        let (doc, errs) = vires_lang::parse(i, &f.text);
        errors.extend(errs);
        docs.push(doc);
    }
    if !errors.is_empty() {
        let color = crate::output::color_stderr();
        eprint!("{}", vires_lang::render(&sources, &errors, &[], color));
        return Ok(ExitCode::from(1));
    }
    let out: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| serde_json::from_str(&vires_lang::to_json(d)).unwrap_or(serde_json::Value::Null))
        .collect();
    let value = if out.len() == 1 {
        out.into_iter().next().unwrap_or_default()
    } else {
        serde_json::Value::Array(out)
    };
    crate::output::json(&value)?;
    Ok(ExitCode::SUCCESS)
}
