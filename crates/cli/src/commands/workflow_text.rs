//! Workflow answers as text for the terminal: an application round's table, a proposal's
//! report, and the published table of capability assessments. The workflow library returns
//! data; the words and columns are made here.

use vires_core::Register;
use vires_workflow::assessment::Assessment;
use vires_workflow::proposal::{Change, ProposalReport};
use vires_workflow::round::RoundRun;

/// The applications as a plain-text table: applicant, level, state, and the decision.
pub fn round_table(run: &RoundRun) -> String {
    let mut rows = vec![vec![
        "application".to_string(),
        "applicant".into(),
        "level".into(),
        "state".into(),
        "instruments / reasons".into(),
    ]];
    for a in &run.applications {
        let detail = match (&a.decision, a.state) {
            (Some(d), _) if d.approved => d.instruments.join(", "),
            (Some(d), _) => d.reasons.join("; "),
            (None, _) => run
                .refusals
                .iter()
                .find(|r| r.application == a.id)
                .map(|r| format!("refused: {}", r.error))
                .unwrap_or_default(),
        };
        rows.push(vec![
            a.id.clone(),
            a.applicant.clone(),
            a.level.to_string(),
            a.state.to_string(),
            detail,
        ]);
    }
    render_rows(&rows)
}

/// The report as text: validity, the holder diff, conflicts and coverage.
pub fn proposal_report(r: &ProposalReport) -> String {
    let mut out = format!(
        "proposal {} ({}): {}\n",
        r.proposal,
        r.title,
        if r.valid { "valid" } else { "NOT valid" }
    );
    for p in &r.problems {
        out.push_str(&format!("  problem: {p}\n"));
    }
    for d in &r.diagnostics {
        out.push_str(&format!("  {} {}: {}\n", d.code, d.subject, d.message));
    }
    let mut rows = vec![vec![
        "on".to_string(),
        "+/-".into(),
        "function".into(),
        "area".into(),
        "body".into(),
        "role".into(),
        "instrument".into(),
    ]];
    for h in &r.holders {
        rows.push(vec![
            h.on.to_string(),
            match h.change {
                Change::Added => "+".into(),
                Change::Removed => "-".into(),
            },
            h.function.clone(),
            h.area.clone(),
            h.body.clone(),
            h.role.to_string(),
            h.instrument.clone(),
        ]);
    }
    out.push_str(&render_rows(&rows));
    out.push_str(&format!(
        "bodies affected: {}\n",
        r.affected_bodies
            .iter()
            .map(|b| b.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out.push_str(&format!(
        "practices affected: {}\n",
        r.affected_practices.len()
    ));
    for c in &r.conflicts {
        out.push_str(&format!(
            "conflict: {} holds posts at {} and {}, joined by {} from {}\n",
            c.person, c.commissioner, c.provider, c.instrument, c.on
        ));
    }
    for c in &r.coverage_created {
        let holders = if c.holders.is_empty() {
            String::new()
        } else {
            format!(" (held by {})", c.holders.join(", "))
        };
        out.push_str(&format!(
            "creates a {}: {} at {} from {}{holders}\n",
            problem(&c.problem),
            c.function,
            c.place,
            c.from
        ));
    }
    for c in &r.coverage_resolved {
        out.push_str(&format!(
            "resolves a {}: {} at {} from {}\n",
            problem(&c.problem),
            c.function,
            c.place,
            c.from
        ));
    }
    out
}

/// A gap or an overlap, in words.
fn problem(p: &vires_core::CoverageProblem) -> &'static str {
    match p {
        vires_core::CoverageProblem::Gap => "gap",
        vires_core::CoverageProblem::Overlap => "overlap",
    }
}

/// The assessments as a published table, newest first, with the body's name when the
/// register knows it.
pub fn assessments_table(assessments: &[Assessment], register: Option<&Register>) -> String {
    let (header, body) = assessment_rows(assessments, register);
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect()];
    rows.extend(body);
    render_rows(&rows)
}

/// The assessments' columns and rows, latest first.
pub fn assessment_rows(
    assessments: &[Assessment],
    register: Option<&Register>,
) -> ([&'static str; 6], Vec<Vec<String>>) {
    let mut sorted: Vec<&Assessment> = assessments.iter().collect();
    sorted.sort_by(|a, b| b.date.cmp(&a.date).then(a.body.cmp(&b.body)));
    let header = ["date", "body", "name", "framework", "period", "rating"];
    let mut rows = Vec::new();
    for a in sorted {
        let name = register
            .and_then(|r| r.body_at(&a.body, a.date).map(|b| r.body(b).name.clone()))
            .unwrap_or_default();
        rows.push(vec![
            a.date.to_string(),
            a.body.clone(),
            name,
            a.framework.title().to_string(),
            a.period.clone().unwrap_or_default(),
            a.rating.to_string(),
        ]);
    }
    (header, rows)
}

/// Renders rows (the first is the header) as a plain-text table with aligned columns; a
/// cell with nothing to say (a name the register does not know, no period) shows "-"
/// rather than a blank that reads as a misaligned column.
fn render_rows(rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(n, r)| {
            r.iter()
                .map(|c| {
                    if n > 0 && c.is_empty() {
                        "-".into()
                    } else {
                        c.clone()
                    }
                })
                .collect()
        })
        .collect();
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut width = vec![0usize; cols];
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for (n, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = width[i]))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if n == 0 {
            let rule: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
            out.push_str(&rule.join("  "));
            out.push('\n');
        }
    }
    out
}
