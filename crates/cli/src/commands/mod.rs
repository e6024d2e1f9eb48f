//! One module per family of commands; each turns arguments into a core call and prints.

mod analysis;
mod audit;
mod audit_log;
mod batch;
mod find;
mod language;
mod migrate;
mod procurement;
mod procurement_text;
mod query;
mod registry;
mod serve;
mod workflow;
mod workflow_text;

use crate::args::{Cli, Command, Format, PlaceArgs, Question};
use crate::error::CliError;
use crate::load;
use clap::CommandFactory;
use jiff::civil::Date;
use std::process::ExitCode;
use vires_core::Place;

/// Today's date in England.
pub fn today() -> Date {
    vires_app::today()
}

/// The place the flags name (one rule for codes with the API and the UI).
pub fn place(p: &PlaceArgs) -> Result<Place, CliError> {
    match vires_app::place::one_of(p.practice.as_deref(), p.body.as_deref(), p.area.as_deref()) {
        Some(Place::England) if !p.england => Err(CliError::Usage(
            "say where: give one of --practice CODE, --body CODE, --area ID or --england".into(),
        )),
        Some(place) => Ok(place),
        None => Err(CliError::Usage(
            "give only one of --practice, --body, --area and --england".into(),
        )),
    }
}

/// For a command that lists nothing, its name: it answers as text or JSON only. Commands
/// that list things answer `--format csv` too (a header row, then a row per item).
fn lists_nothing(command: &Command) -> Option<&'static str> {
    use crate::args::{AuditWhat, ConflictsWhat};
    Some(match command {
        Command::Find { .. }
        | Command::Who { .. }
        | Command::May { .. }
        | Command::What { .. }
        | Command::Timeline { .. }
        | Command::Diff { .. }
        | Command::Gaps { .. }
        | Command::Expiring { .. }
        | Command::Inheritance
        | Command::Lineage { .. }
        | Command::Bodies { .. }
        | Command::Map { .. }
        | Command::Functions
        | Command::Powers
        | Command::Instruments
        | Command::Calendar { .. }
        | Command::Assessments { .. }
        | Command::Conflicts {
            what: ConflictsWhat::Export { .. },
        } => return None,
        Command::Check { .. } => "check",
        Command::Fmt { .. } => "fmt",
        Command::Explain { .. } => "explain",
        Command::Whatif { .. } => "whatif",
        Command::Export { .. } => "export",
        Command::Round { .. } => "round",
        Command::Proposal { .. } => "proposal",
        Command::Procure { .. } => "procure",
        Command::Conflicts { .. } => "conflicts check",
        Command::Record { .. } => "record",
        Command::Serve { .. } => "serve",
        Command::Completions { .. } => "completions",
        Command::Man => "man",
        Command::Audit { what } => match what {
            AuditWhat::Log => return None,
            AuditWhat::Verify { .. } => "audit verify",
            AuditWhat::Keygen { .. } => "audit keygen",
            AuditWhat::KeyStart => "audit key-start",
        },
        Command::Import { .. } => "import",
        Command::Migrate { .. } => "migrate",
    })
}

pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let fmt = cli.format;
    if let Some(name) = lists_nothing(&cli.command).filter(|_| fmt == Format::Csv) {
        return Err(CliError::Usage(format!(
            "--format csv is for commands that list things; `vires {name}` answers as text \
             or with --format json"
        )));
    }
    let store_choice = load::StoreChoice {
        db: cli.db.clone(),
        recorded_at: cli.recorded_at,
        ods: cli.ods.clone(),
        no_cache: cli.no_cache,
    };
    match cli.command {
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "vires", &mut out);
            print!("{}", String::from_utf8_lossy(&out));
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| CliError::Internal(format!("man page: {e}")))?;
            print!("{}", String::from_utf8_lossy(&out));
            Ok(ExitCode::SUCCESS)
        }
        Command::Fmt { files, check } => language::fmt(&files, check),
        Command::Export { files } => {
            let files = if files.is_empty() {
                cli.register.clone()
            } else {
                files
            };
            if files.is_empty() {
                // No files: the register the store holds (bundled register plus changes).
                let loaded = load::load_from(&[], fmt, &store_choice)?;
                return language::export_register(&loaded.snapshot);
            }
            language::export(&files)
        }
        Command::Audit { what } => audit::run(what, &store_choice, fmt),
        Command::Migrate { grant_to } => migrate::run(&store_choice, grant_to.as_deref(), fmt),
        Command::Serve {
            addr,
            config,
            allow_broken_log,
        } => serve::run(addr, config, cli.db.clone(), cli.no_cache, allow_broken_log),
        Command::Record {
            files,
            author,
            reason,
        } => audit::record(&files, &author, &reason, &store_choice, fmt),
        Command::Check { files, warnings } => {
            if !files.is_empty() && cli.register.is_empty() {
                // Files alone are judged on top of the bundled register plus the store.
                let base = load::load_from(&[], fmt, &store_choice)?;
                return analysis::check_files_on(&base, &files, fmt, warnings);
            }
            let files = if files.is_empty() {
                cli.register.clone()
            } else {
                files
            };
            let loaded = load::load_from(&files, fmt, &store_choice)?;
            analysis::check(&loaded, fmt, warnings)
        }
        Command::Import { what } => registry::import(what, fmt),
        Command::Conflicts { what } => {
            procurement::conflicts(what, &cli.register, fmt, &store_choice)
        }
        Command::Round {
            file,
            record: true,
            author,
        } => workflow::record_round(&file, &author, !cli.register.is_empty(), &store_choice, fmt),
        Command::Proposal {
            file,
            publish,
            withdraw,
            author,
            reason,
            on,
            ..
        } if publish || withdraw => workflow::decide_proposal(
            &file,
            if publish {
                vires_app::record::Decision::Publish
            } else {
                vires_app::record::Decision::Withdraw
            },
            &workflow::Decided {
                author: &author,
                reason: reason.as_deref().unwrap_or_default(),
                on: on.unwrap_or_else(today),
            },
            !cli.register.is_empty(),
            &store_choice,
            fmt,
        ),
        Command::Whatif { proposal, on } => {
            query::whatif(&cli.register, &proposal, on, fmt, &store_choice)
        }
        command => {
            let loaded = load::load_from(&cli.register, fmt, &store_choice)?;
            let s = &loaded.snapshot;
            match command {
                Command::Who {
                    batch: Some(file), ..
                } => batch::run(s, fmt, batch::Ask::Who, &file, today()),
                Command::Who {
                    question: Question { function, .. },
                    purpose,
                    every_practice_on,
                    ..
                } if !every_practice_on.is_empty() => batch::every_practice(
                    s,
                    fmt,
                    function.as_deref().unwrap_or_default(),
                    &every_practice_on,
                    purpose.as_deref(),
                    today(),
                ),
                Command::Who {
                    question:
                        Question {
                            function,
                            place: p,
                            on,
                        },
                    purpose,
                    ..
                } => query::who(
                    s,
                    fmt,
                    function.as_deref().unwrap_or_default(),
                    &place(&p)?,
                    on.unwrap_or_else(today),
                    purpose.as_deref(),
                ),
                Command::May {
                    batch: Some(file), ..
                } => batch::run(s, fmt, batch::Ask::May, &file, today()),
                Command::May {
                    actor,
                    question:
                        Question {
                            function,
                            place: p,
                            on,
                        },
                    purpose,
                    ..
                } => query::may(
                    s,
                    fmt,
                    &vires_app::place::code(&actor.unwrap_or_default()),
                    function.as_deref().unwrap_or_default(),
                    &place(&p)?,
                    on.unwrap_or_else(today),
                    purpose.as_deref(),
                ),
                Command::What { code, on } => query::what(
                    s,
                    fmt,
                    &vires_app::place::code(&code),
                    on.unwrap_or_else(today),
                ),
                Command::Timeline { function, place: p } => {
                    query::timeline(s, fmt, &function, &place(&p)?)
                }
                Command::Diff { from, to } => query::diff(s, fmt, from, to),
                Command::Explain { id } => query::explain(&loaded, fmt, &id),
                Command::Gaps { function, until } => {
                    analysis::gaps(s, fmt, &function, until.unwrap_or_else(today))
                }
                Command::Expiring { on, days } => {
                    analysis::expiring(s, fmt, on.unwrap_or_else(today), days)
                }
                Command::Inheritance => analysis::inheritance(s, fmt),
                Command::Instruments => analysis::instruments(s, fmt),
                Command::Lineage { code } => {
                    registry::lineage(s, fmt, &vires_app::place::code(&code))
                }
                Command::Bodies { on, kind } => {
                    registry::bodies(s, fmt, on.unwrap_or_else(today), kind.as_deref())
                }
                Command::Map { to, kind } => registry::map(s, fmt, to, &kind),
                Command::Find {
                    text,
                    on,
                    kind,
                    limit,
                } => find::find(
                    s,
                    fmt,
                    &text.join(" "),
                    on,
                    on.unwrap_or_else(today),
                    &kind,
                    limit.into(),
                ),
                Command::Functions => registry::functions(s, fmt),
                Command::Powers => registry::powers(s, fmt),
                Command::Procure {
                    contract,
                    with_power,
                    without_power,
                } => {
                    let what_if = match (with_power, without_power) {
                        (Some(file), _) => Some(procurement::PowerWhatIf::Add(file)),
                        (None, Some(id)) => Some(procurement::PowerWhatIf::Remove(id)),
                        (None, None) => None,
                    };
                    procurement::procure(s, fmt, &contract, what_if)
                }
                Command::Round { file, .. } => workflow::round(s, fmt, &file),
                Command::Proposal {
                    file,
                    interests,
                    compare,
                    ..
                } => workflow::proposal(s, fmt, &file, interests.as_deref(), compare.as_deref()),
                Command::Calendar {
                    on,
                    days,
                    rounds,
                    ics,
                } => workflow::calendar(s, fmt, on.unwrap_or_else(today), days, &rounds, ics),
                Command::Assessments { file } => workflow::assessments(s, fmt, &file),
                Command::Fmt { .. }
                | Command::Export { .. }
                | Command::Check { .. }
                | Command::Import { .. }
                | Command::Whatif { .. }
                | Command::Conflicts { .. }
                | Command::Audit { .. }
                | Command::Migrate { .. }
                | Command::Record { .. }
                | Command::Serve { .. }
                | Command::Completions { .. }
                | Command::Man => Err(CliError::Internal("command dispatched twice".into())),
            }
        }
    }
}
