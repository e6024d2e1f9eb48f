//! Command-line arguments. The help text is the user's first manual: keep it teaching.

use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::civil::Date;
use std::path::PathBuf;

const ABOUT: &str = "Who lawfully holds which NHS commissioning power in England, where, when, \
for what purpose and on what authority — with the chain of instruments that proves it.";

const AFTER: &str = "\
Without --register, vires answers from the bundled England register (every CCG 2013–2022, \
every ICB from 2022-07-01, GP practices, and the national instruments), which works offline.

Examples:
  vires who --function commissioning.secondary-care --practice A85001 --on 2020-06-01
  vires who --function commissioning.primary-care.medical --body QHM --on 2023-01-01 --format json
  vires lineage 00F
  vires bodies --on 2021-04-01 --kind ccg
  vires check examples/seed-1-emergency-direction/register.vires
  vires map --to 2023-04-01 > ccg-to-icb.csv";

const RECORDING_AFTER: &str = "\
Recording a round (the store holds the bundled England register and its change log):
  vires --db sqlite://vires.db round examples/workflows/co-commissioning-2014/round.json \\
      --record --author \"Jane Smith\"
  vires --db sqlite://vires.db audit log            # the steps and the issued instruments
  vires --db sqlite://vires.db who --function commissioning.primary-care.medical \\
      --body 00K --on 2015-04-01                    # answers from the recorded delegation

Publishing or withdrawing a proposal:
  vires --db sqlite://vires.db proposal FILE.vires --publish --author NAME --reason TEXT
  vires --db sqlite://vires.db proposal FILE.vires --withdraw --author NAME --reason TEXT";

const FIND_AFTER: &str = "\
Examples:
  vires find bolton                       # the CCG, the ICB's places and every Bolton practice
  vires find BL3 5 --kind practice        # practices by the start of their postcode
  vires find A85001                       # a practice by code, with the bodies it sits in
  vires find manchester --on 2023-04-01 --kind body
  vires find delegation --kind instrument --format json";

const PROCURE_AFTER: &str = "\
Examples (the worked examples answer from their own register):
  R=examples/procurement
  vires -r $R/register.vires procure $R/community_services_2024-01-02.json
  vires -r $R/register.vires --format json procure $R/collective_bi_2022.json

What-if: a requirement that rests on no power is reported, not applied. To see what it would
require if the power existed, add one for the comparison; to see what a power holds up,
remove it:
  vires -r $R/register.vires procure $R/bi_in_house_without_evidence.json \\
    --with-power $R/what-if/support-services-power.vires
  vires -r $R/register.vires -r $R/what-if/support-services-power.vires \\
    procure $R/bi_in_house_without_evidence.json \\
    --without-power hypothetical-support-services-direction

With either flag the JSON is {change, before, after, authority_changes, newly_permitted,
newly_refused}, where before and after are the usual assessment.";

#[derive(Debug, Parser)]
#[command(name = "vires", version, about = ABOUT, after_help = AFTER, propagate_version = true)]
pub struct Cli {
    /// Register files (.vires text or .json) to answer from, instead of the bundled England register.
    /// Repeat for several files; a directory means every .vires file in it.
    #[arg(long, short = 'r', global = true, value_name = "PATH")]
    pub register: Vec<PathBuf>,

    /// The store holding changes made on top of the bundled register: `sqlite://PATH` or
    /// `postgres://USER@HOST:PORT/DB`. Default: a SQLite file in your data directory
    /// (created, and seeded with the England register, on first use).
    #[arg(long, global = true, env = "VIRES_DB", value_name = "URL")]
    pub db: Option<String>,

    /// Build the England register from ODS/ONS files in this folder (a fresh download, in the
    /// layout of data/README.md) instead of the bundled extracts. Use a store of its own (--db):
    /// once something is recorded in a store, it is bound to the data it was recorded on.
    #[arg(long, global = true, env = "VIRES_ODS_DIR", value_name = "DIR")]
    pub ods: Option<PathBuf>,

    /// Build the England register afresh instead of reading the copy kept in the cache
    /// folder (VIRES_CACHE_DIR; default the platform's, e.g. ~/.cache/vires). The copy is
    /// checked on every read and rebuilt by itself when the data or the binary changes.
    #[arg(long, global = true)]
    pub no_cache: bool,

    /// Answer from the register as it was recorded at this moment (e.g. 2021-05-01T00:00:00Z),
    /// before any later corrections.
    #[arg(long, global = true, value_name = "TIMESTAMP")]
    pub recorded_at: Option<jiff::Timestamp>,

    /// Output format: text for people; JSON (a stable contract); or CSV with a header row,
    /// for the commands that list things (bodies, find, who, what, timeline, diff, map,
    /// instruments, ...). A command that lists nothing refuses csv (exit 2).
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Colour in messages (errors with carets): auto colours on a terminal unless NO_COLOR
    /// is set; always; never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
}

/// The furthest ahead `expiring` and `calendar` look: a century, far beyond any instrument's
/// term, and small enough that a date plus it stays in range.
pub const MAX_DAYS_AHEAD: i64 = 36_600;

fn days_ahead() -> clap::builder::RangedI64ValueParser<i64> {
    clap::value_parser!(i64).range(0..=MAX_DAYS_AHEAD)
}

/// Where a question is about. Exactly one of these (checked when the command runs, since
/// `--batch` names a place on every row instead).
#[derive(Debug, Args, Clone)]
#[group(required = false, multiple = false)]
pub struct PlaceArgs {
    /// A GP practice, by ODS code (e.g. A85001).
    #[arg(long, value_name = "CODE")]
    pub practice: Option<String>,
    /// The footprint a body covers on the date, by code (e.g. 13T, QHM). A council, by its
    /// ONS code (e.g. E08000001, Bolton), is answered as its named area: the practices in
    /// the council's area.
    #[arg(long = "body", value_name = "CODE")]
    pub body: Option<String>,
    /// A named area, such as a local authority district by its ONS code (e.g. E08000021),
    /// or a region (`vires find --kind area` lists them).
    #[arg(long, value_name = "ID")]
    pub area: Option<String>,
    /// All of England.
    #[arg(long)]
    pub england: bool,
}

/// What `who` and `may` both ask about: a function, a place and a date (left out with
/// `--batch`, whose rows name them).
#[derive(Debug, Args, Clone)]
pub struct Question {
    /// Function id, e.g. commissioning.secondary-care (see `vires functions`).
    #[arg(
        long,
        short = 'f',
        value_name = "ID",
        required_unless_present = "batch"
    )]
    pub function: Option<String>,
    #[command(flatten)]
    pub place: PlaceArgs,
    /// The date (YYYY-MM-DD); default today (in England).
    #[arg(long, value_name = "DATE")]
    pub on: Option<Date>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check register files: every invalid instrument, with the exact words at fault.
    ///
    /// Exit 1 if anything is invalid.
    Check {
        /// Files to check, judged on top of the bundled register plus the store, as `record`
        /// would judge them (with --register, on their own; default: the --register files, or
        /// the bundled register itself).
        files: Vec<PathBuf>,
        /// Also list warnings (orphans, merger mismatches).
        #[arg(long, default_value_t = true)]
        warnings: bool,
    },
    /// Format .vires files in place (canonical layout, comments kept).
    ///
    /// With --check, change nothing and exit 1 if a file is not formatted.
    Fmt {
        /// The .vires files to format.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Change nothing: name each file not in the canonical layout, and exit 1 if any.
        #[arg(long)]
        check: bool,
    },
    /// Find bodies, GP practices, areas, instruments and functions by code, name or postcode.
    ///
    /// By code, name, postcode or ONS code, best match first. A practice is shown with the
    /// bodies it sits in. Exit 1 if nothing matches.
    #[command(after_help = FIND_AFTER)]
    Find {
        /// What to look for: a code (A85001, QOP, 00T), a name or words of one (bolton
        /// medical), a postcode or its start (BL3 5), an ONS code (E38000016), an instrument
        /// id or title, a function id.
        #[arg(required = true, value_name = "TEXT")]
        text: Vec<String>,
        /// Only what existed on this date (YYYY-MM-DD): bodies alive, practices with a
        /// commissioner, instruments in force. Default: everything, past and present.
        #[arg(long, value_name = "DATE")]
        on: Option<Date>,
        /// Only these kinds (repeat, or separate with commas): body, practice, area,
        /// instrument, function.
        #[arg(long, value_delimiter = ',', value_name = "KIND")]
        kind: Vec<String>,
        /// At most this many results, best first (1 to 200).
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=200))]
        limit: u16,
    },
    /// Who holds a function at a place on a date, and the proof.
    ///
    /// Each holder, in what role, who stays accountable, and the chain of instruments from
    /// statute that proves it.
    Who {
        #[command(flatten)]
        question: Question,
        /// Only holders who may act for this purpose (e.g. coronavirus-support).
        #[arg(long, value_name = "PURPOSE")]
        purpose: Option<String>,
        /// Answer every question in FILE (`-` for standard input), one process for all:
        /// CSV with a header row of function, place, date, purpose (date and purpose may be
        /// empty or absent), or JSON lines with those keys. A place is practice:CODE,
        /// body:CODE, area:ID, england, or a bare code. Prints CSV (or JSON lines with
        /// --format json), one row per holder, with the proof's instrument ids and the
        /// answer's caveats; a row with no holder says `gap`, or `not known` where a caveat
        /// says the register does not know enough to call it one.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["function", "practice", "body", "area", "england", "on", "purpose"])]
        batch: Option<PathBuf>,
        /// Answer for every GP practice England has on each DATE (YYYY-MM-DD; repeat, or separate with
        /// commas), in one process: the practices in a commissioner's list then, and those
        /// whose record the register cannot settle (their rows carry the caveat). Prints as
        /// --batch does, one row per holder per practice and date. Needs -f; no default.
        #[arg(long, value_name = "DATE", value_delimiter = ',', conflicts_with_all = ["batch", "practice", "body", "area", "england", "on"])]
        every_practice_on: Vec<Date>,
    },
    /// May this body exercise the function here, on this date, for this purpose?
    ///
    /// Yes or no, with the reason and proof. Exit 1 for no.
    May {
        /// The body asking, by code (e.g. X24).
        #[arg(long = "as", value_name = "CODE", required_unless_present = "batch")]
        actor: Option<String>,
        #[command(flatten)]
        question: Question,
        /// The purpose the body would act for (e.g. coronavirus-support).
        #[arg(long, value_name = "PURPOSE")]
        purpose: Option<String>,
        /// Answer every question in FILE (`-` for standard input), as `who --batch`, with a
        /// column (or key) `as` for the body asking. One row per question: allowed yes or
        /// no, the reason, the proof's instrument ids and the answer's caveats. Exit 1 only
        /// if a row could not be answered; a "no" is an answer.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["actor", "function", "practice", "body", "area", "england", "on", "purpose"])]
        batch: Option<PathBuf>,
    },
    /// Explain one instrument: its terms, findings, holdings and dependents.
    ///
    /// Its terms and basis, validity findings, the holdings it creates, and the instruments
    /// that depend on it.
    Explain {
        /// Instrument id (see `vires instruments`).
        #[arg(value_name = "ID")]
        id: String,
    },
    /// Every function a body holds on a date, and what it has arranged away.
    ///
    /// Each function where, in what role, on what proof, what its maker kept, and whom the
    /// body has arranged to exercise it.
    What {
        /// Body code (e.g. QHM, 13T).
        #[arg(value_name = "CODE")]
        code: String,
        /// The date (YYYY-MM-DD); default today (in England).
        #[arg(long, value_name = "DATE")]
        on: Option<Date>,
    },
    /// Holders of a function at a place over time.
    Timeline {
        /// Function id, e.g. commissioning.secondary-care (see `vires functions`).
        #[arg(long, short = 'f', value_name = "ID")]
        function: String,
        #[command(flatten)]
        place: PlaceArgs,
    },
    /// What changed between two dates.
    ///
    /// Holdings added and removed, bodies established and abolished.
    Diff {
        /// The date to compare from (YYYY-MM-DD).
        from: Date,
        /// The date to compare with (YYYY-MM-DD); it may be before FROM, to look back.
        to: Date,
    },
    /// What would change if a proposal took effect.
    ///
    /// A proposal (a file of instruments not yet in force) on top of the --register files,
    /// or of the bundled register plus the store: its validity, and the holdings added and
    /// removed on the date.
    Whatif {
        /// The proposal's .vires files.
        #[arg(required = true, value_name = "FILE")]
        proposal: Vec<PathBuf>,
        /// The date to compare on (YYYY-MM-DD); default the earliest date an instrument of
        /// the proposal takes effect.
        #[arg(long, value_name = "DATE")]
        on: Option<Date>,
    },
    /// Gaps and overlaps in who holds a function, over every practice and day.
    ///
    /// Gaps (nobody holds the function without a purpose limit) and overlaps (two bodies hold it
    /// exclusively at once), over every practice (or every commissioner if there are no practices),
    /// from the first day its record speaks of. A gap the register explains (an incomplete
    /// record, a part outside its coverage statement) is listed with the caveat saying why.
    /// Exit 1 if any finding is unexplained.
    Gaps {
        /// Function id to check (see `vires functions`).
        #[arg(
            long,
            short = 'f',
            value_name = "ID",
            default_value = "commissioning.secondary-care"
        )]
        function: String,
        /// Check up to this date (YYYY-MM-DD), the day itself not included; default today
        /// (in England).
        #[arg(long, value_name = "DATE")]
        until: Option<Date>,
    },
    /// Instruments in force on a date that end within N days.
    Expiring {
        /// The date the instruments are in force on (YYYY-MM-DD); default today (in England).
        #[arg(long, value_name = "DATE")]
        on: Option<Date>,
        /// How many days ahead to look (0 to 36600, a century).
        #[arg(long, default_value_t = 90, value_parser = days_ahead())]
        days: i64,
    },
    /// Instruments carried to a successor by a merger, and arrangements orphaned by one.
    Inheritance,
    /// Predecessors and successors of a code, over any number of steps.
    Lineage {
        /// A body code, current or historic (e.g. 00F, 13T, QHM).
        #[arg(value_name = "CODE")]
        code: String,
    },
    /// Bodies in existence on a date.
    Bodies {
        /// The date (YYYY-MM-DD); default today (in England).
        #[arg(long, value_name = "DATE")]
        on: Option<Date>,
        /// Only bodies of this kind: ccg, icb, sub-icb-location, commissioning-hub,
        /// nhs-england, local-authority, ...
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
    },
    /// Map every historic commissioner code onto the bodies of a date, as CSV.
    ///
    /// Every historic commissioner code onto the bodies that carry it on a date (for
    /// re-basing old CCG data onto ICBs), with each code's status; JSON with --format json.
    ///
    /// One row per old code (one per carrier of a split one), with the body carrying it on
    /// the date, the ICB whose area that is (icb_code, icb_name) and the codes between
    /// (path, joined by `>`). The status says what became of the code by the date:
    /// `open`, the code itself is in use that day (a former CCG's code kept by a sub-ICB
    /// location counts: 00T, NHS Bolton CCG until 2022, is open in 2023 under NHS Greater
    /// Manchester ICB); `succeeded`, one other body carries it; `split`, several bodies
    /// carry parts of it; `closed`, it ended with no successor (body columns empty);
    /// `not-yet-open`, it starts after the date (body columns empty).
    Map {
        /// The date to map onto (YYYY-MM-DD), e.g. 2023-04-01 for the ICBs' first full year.
        /// Required: there is no default.
        #[arg(long, value_name = "DATE")]
        to: Date,
        /// Only old codes of these kinds (repeat, or separate with commas): ccg, icb,
        /// sub-icb-location, commissioning-hub.
        #[arg(long, value_delimiter = ',', value_name = "KIND")]
        kind: Vec<String>,
    },
    /// List the function taxonomy.
    Functions,
    /// List the powers registry.
    ///
    /// Who may make which instruments, under which basis, when.
    Powers,
    /// List instruments (id, kind, dates, validity).
    Instruments,
    /// Export the register as JSON.
    ///
    /// With .vires files, their lossless JSON form; otherwise the bodies and instruments.
    Export {
        /// Files to export (default: the --register files; with neither, the bundled register
        /// plus the store, as bodies and instruments).
        files: Vec<PathBuf>,
    },
    /// Run an application round for delegated powers, and record it with --record.
    ///
    /// The round is JSON: the round, the applications and the steps taken. States and
    /// deadlines are enforced, refusals given with reasons, instruments issued.
    /// With --record, also write the outcome to the store (--db) in one atomic batch: one
    /// workflow-step entry per step (received, refused as late or incomplete, recommended,
    /// approved, rejected with reasons) and an add-instrument entry per issued instrument.
    /// Nothing is written if any issued instrument would be invalid on the register the store
    /// holds, or the round is already recorded.
    #[command(after_help = RECORDING_AFTER)]
    Round {
        /// The round JSON (see examples/workflows/).
        file: PathBuf,
        /// Record the round in the store (the bundled register plus its change log; no -r).
        #[arg(long, help_heading = "Recording")]
        record: bool,
        /// Who is recording it (kept in the change log).
        #[arg(
            long,
            env = "USER",
            default_value = "unknown",
            requires = "record",
            help_heading = "Recording"
        )]
        author: String,
    },
    /// Assess a proposal; publish or withdraw it with --publish or --withdraw.
    ///
    /// A proposal is a .vires file of instruments not yet in force, assessed on top of the
    /// register: validity, holders gained and lost on each effective date, affected bodies and
    /// practices, joint appointments, gaps and overlaps created. Exit 1 if it is not valid.
    /// With --publish or --withdraw, record the decision in the store (--db).
    #[command(after_help = RECORDING_AFTER)]
    Proposal {
        /// The proposal: a .vires file of instruments not yet in force, or its JSON form.
        #[arg(required = true)]
        file: PathBuf,
        /// Registers of interests (JSON) of the people involved, for joint appointments.
        #[arg(long, value_name = "FILE")]
        interests: Option<PathBuf>,
        /// A second proposal to compare side by side.
        #[arg(long, value_name = "FILE")]
        compare: Option<PathBuf>,
        /// Publish the proposal: apply every instrument (and new body) to the store (--db) in
        /// one atomic batch, with a workflow-step entry for the publication. Refused, with
        /// nothing written, if the proposal is not valid on the register the store holds.
        #[arg(
            long,
            conflicts_with_all = ["withdraw", "compare"],
            requires = "reason",
            help_heading = "Publishing"
        )]
        publish: bool,
        /// Withdraw the proposal: only a workflow-step entry reaches the store.
        #[arg(
            long,
            conflicts_with = "compare",
            requires = "reason",
            help_heading = "Publishing"
        )]
        withdraw: bool,
        /// Who publishes or withdraws it (kept in the change log).
        #[arg(
            long,
            env = "USER",
            default_value = "unknown",
            help_heading = "Publishing"
        )]
        author: String,
        /// Why (kept in the change log); required with --publish and --withdraw.
        #[arg(long, value_name = "TEXT", help_heading = "Publishing")]
        reason: Option<String>,
        /// The date of the publication or withdrawal in the workflow (YYYY-MM-DD); default
        /// today (in England). The instruments keep their own effective dates.
        #[arg(long, value_name = "DATE", help_heading = "Publishing")]
        on: Option<Date>,
    },
    /// Expiries, reviews and application deadlines coming up, as text, JSON or iCalendar.
    Calendar {
        /// The first day of the calendar (YYYY-MM-DD); default today (in England).
        #[arg(long, value_name = "DATE")]
        on: Option<Date>,
        /// How many days ahead to look (0 to 36600, a century).
        #[arg(long, default_value_t = 365, value_parser = days_ahead())]
        days: i64,
        /// Application rounds (JSON) whose deadlines to include (repeat for several).
        #[arg(long, value_name = "FILE")]
        rounds: Vec<PathBuf>,
        /// Print iCalendar (RFC 5545) instead.
        #[arg(long)]
        ics: bool,
    },
    /// Publish commissioners' assessments as a table, checked against their framework.
    ///
    /// The assessments are JSON (see docs/workflows.md): each body's rating under a framework
    /// on a date, checked: the framework was in force then, the rating is on its scale, and
    /// the body existed and is of a kind the framework assesses.
    Assessments {
        /// The assessments JSON (see docs/workflows.md).
        file: PathBuf,
    },
    /// Which procurement route is lawful for a proposed contract, and its steps.
    ///
    /// The routes permitted and refused, the steps and notices needed, the standstill, and
    /// every requirement from the register that applies. The law is the one that
    /// governed a procurement begun on the contract's `procurement_began` date (with the
    /// transitional provision cited), not the law on its start date. The contract is JSON
    /// (see docs/procurement.md and examples/procurement/).
    #[command(after_help = PROCURE_AFTER)]
    Procure {
        /// The contract JSON file.
        contract: PathBuf,
        /// What-if: compare with a power added to the register. FILE is a .vires file that
        /// declares one `power` record (a power with the same id replaces the register's).
        /// The answer shows each requirement whose authority changes (rests on no power ->
        /// rests on a power), the processes newly permitted or refused, and the whole
        /// assessment with the power.
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "without_power",
            help_heading = "What-if on a requirement's authority"
        )]
        with_power: Option<PathBuf>,
        /// What-if: compare with a power removed from the register, by id (`vires powers`
        /// lists them); the answer has the same shape as for --with-power.
        #[arg(
            long,
            value_name = "ID",
            help_heading = "What-if on a requirement's authority"
        )]
        without_power: Option<String>,
    },
    /// Conflicts of interest: check a decision, or publish a register of interests.
    ///
    /// Check a decision record against the registers of interests of the bodies taking part,
    /// or publish a register of interests (and of gifts and hospitality).
    Conflicts {
        #[command(subcommand)]
        what: ConflictsWhat,
    },
    /// Record instruments from .vires files in the store.
    ///
    /// On top of the bundled register: new ids are added, known ids are corrected (the
    /// earlier version stays in the history). Nothing is written if any of them is invalid.
    Record {
        /// The .vires files whose instruments to record.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Who is making the change.
        #[arg(long, env = "USER", default_value = "unknown")]
        author: String,
        /// Why (kept in the change log).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Run the HTTP API and the web UI.
    ///
    /// Settings come from defaults, then a TOML file
    /// (--config or VIRES_CONFIG), then environment variables, then these flags
    /// (docs/api.md lists them all).
    Serve {
        /// HOST:PORT to listen on (VIRES_ADDR; default 127.0.0.1:8080).
        #[arg(long, env = "VIRES_ADDR", value_name = "HOST:PORT")]
        addr: Option<String>,
        /// Configuration file (TOML).
        #[arg(long, env = "VIRES_CONFIG", value_name = "FILE")]
        config: Option<PathBuf>,
        /// Serve even if the change log does not verify at start (it is refused otherwise);
        /// the finding is shown in /status and logged as a warning (audit.allow_broken_log).
        #[arg(long)]
        allow_broken_log: bool,
    },
    /// Print a shell completion script.
    ///
    /// `vires completions bash > /etc/bash_completion.d/vires` (or zsh, fish, elvish,
    /// powershell).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff).
    ///
    /// `vires man > vires.1 && man ./vires.1`.
    Man,
    /// Bring the store's schema up to date, as the database's owner.
    ///
    /// On PostgreSQL, also grant the server's role only what it needs (read, append to the
    /// log, keep users, tokens, sessions, proposals and drafts), so it cannot alter the log's
    /// tables or triggers.
    Migrate {
        /// The role the server logs in as (PostgreSQL only).
        #[arg(long, value_name = "ROLE")]
        grant_to: Option<String>,
    },
    /// The tamper-evident change log: verify its hash chain, or list it.
    Audit {
        #[command(subcommand)]
        what: AuditWhat,
    },
    /// Rebuild the register from fresh ODS/ONS downloads, with a data-quality report.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditWhat {
    /// Check every entry's hash and link, and with the log key (VIRES_LOG_KEY_FILE) the
    /// checkpoints signed with it; name the first bad entry. Exit 1 if any is bad.
    Verify {
        /// A head hash published earlier (from `audit verify`, or an API answer's
        /// `Vires-Log-Head`): the log must still hold that entry, so a log cut short or
        /// rewritten after it, hashes recomputed and all, fails.
        #[arg(long, value_name = "HASH")]
        expect_head: Option<String>,
    },
    /// List the change log: who changed what, when and why.
    Log,
    /// Write a new log key to a new file (owner-only). Give it to every writer with
    /// VIRES_LOG_KEY_FILE (or the server's audit.key_file): each write is then checkpointed
    /// with it, and `audit verify` with the key catches a rewrite that recomputes the hashes.
    Keygen {
        /// The file to create; it must not exist yet. Keep it outside the database's backups.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
    /// Key a log written before it had a key, from its head: checks the chain, then signs a
    /// checkpoint over the head with the key in VIRES_LOG_KEY_FILE. Entries up to the head
    /// are vouched for as they stand now; check them first with `audit verify --expect-head`.
    KeyStart,
}

#[derive(Debug, Subcommand)]
pub enum ConflictsWhat {
    /// Check a decision record: undeclared or unmanaged interests, quorum after exclusions,
    /// GP members deciding on their own practice, joint appointments on both sides.
    /// Exit 1 if the decision is not sound.
    Check {
        /// The decision record JSON.
        decision: PathBuf,
        /// Registers of interests (JSON) of the bodies taking part (one per body; repeat).
        #[arg(long = "interests", value_name = "FILE", required = true)]
        interests: Vec<PathBuf>,
    },
    /// Publish a register of interests (and gifts and hospitality) as CSV, JSON or HTML.
    Export {
        /// The register of interests JSON.
        register: PathBuf,
        /// The form to publish it in; default csv. --format json or csv also choose those
        /// (asking for two different forms is a usage error).
        #[arg(long = "as", value_name = "FORM", value_enum)]
        as_: Option<ExportAs>,
        /// With CSV: the gifts and hospitality register instead of interests.
        #[arg(long)]
        gifts: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportAs {
    Csv,
    Json,
    Html,
}

#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// ODS/ONS CSV extracts in the layout described in data/README.md.
    Ods {
        /// The folder of ODS/ONS CSV files.
        dir: PathBuf,
        /// Write the report here as JSON as well.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn arguments_are_well_formed() {
        Cli::command().debug_assert();
    }

    /// `--help` teaches: every argument and flag of every command says what it is for.
    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "vires", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }

    /// A date flag shows as `--on <DATE>`, and every date's help says how to write it
    /// (YYYY-MM-DD) and, for a flag, what it is when left out.
    #[test]
    fn every_date_says_its_form_and_its_default() {
        fn walk(cmd: &clap::Command, path: &str, seen: &mut usize, bad: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                if arg.get_value_parser().type_id() != std::any::TypeId::of::<jiff::civil::Date>() {
                    continue;
                }
                *seen += 1;
                let help = format!(
                    "{} {}",
                    arg.get_help().map(|h| h.to_string()).unwrap_or_default(),
                    arg.get_long_help()
                        .map(|h| h.to_string())
                        .unwrap_or_default()
                )
                .to_lowercase();
                let names: Vec<String> = arg
                    .get_value_names()
                    .unwrap_or_default()
                    .iter()
                    .map(|n| n.to_string())
                    .collect();
                let flag = arg.get_long().is_some();
                let named = !flag || names == ["DATE"];
                let form = help.contains("yyyy-mm-dd");
                let default = !flag || help.contains("default") || help.contains("required");
                if !(named && form && default) {
                    bad.push(format!("{path} {} {names:?}: {help}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), seen, bad);
            }
        }
        let (mut seen, mut bad) = (0, Vec::new());
        walk(&Cli::command(), "vires", &mut seen, &mut bad);
        // find, who (2), may, what, diff (2), whatif, gaps, expiring, bodies, map, proposal,
        // calendar.
        assert_eq!(seen, 14, "the date arguments were not all found");
        assert!(bad.is_empty(), "{bad:#?}");
    }
}
