//! Procurement answers as text for the terminal: the assessment of a contract, a what-if
//! on a power, and a conflicts-of-interest decision report. The library returns data; the
//! words and layout are made here.

use jiff::civil::Date;
use std::fmt::Write as _;
use vires_procure::assess::{Assessment, PowerChange, WhatIf};
use vires_procure::authority::AuthorityClass;
use vires_procure::conflicts::FindingSeverity;
use vires_procure::contract::LiabilityEvent;
use vires_procure::regime::{weekday, DayUnit};
use vires_procure::{DecisionReport, Finding};

/// The assessment of a contract as text for the terminal.
pub fn assessment(a: &Assessment) -> String {
    let mut s = String::new();
    let c = &a.contract;
    let _ = writeln!(
        s,
        "Contract{}: {} buying {}{} ({}), £{:.0}, procurement begun {}, from {} for {} months",
        c.reference
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default(),
        c.commissioners.join(", "),
        c.buying.as_str(),
        c.category
            .as_deref()
            .map(|x| format!(" / {x}"))
            .unwrap_or_default(),
        c.function,
        c.estimated_value,
        c.procurement_began,
        c.start,
        c.term_months
    );
    let _ = writeln!(s, "\nRegime: {} ({})", a.regime.title, a.regime.citation);
    let _ = writeln!(
        s,
        "  because {} [{}]{}",
        a.regime_basis.explanation,
        a.regime_basis.citation,
        if a.regime_basis.confirmed {
            ""
        } else {
            " (to confirm)"
        }
    );
    for r in &a.also_in_force {
        let _ = writeln!(s, "  also in force: {} ({})", r.title, r.citation);
    }
    if let Some(t) = &a.routes.threshold {
        let _ = writeln!(
            s,
            "  threshold ({}): £{:.0}{}{} — the contract is {} it",
            match t.authority_class {
                AuthorityClass::All => "every contracting authority".to_string(),
                c => format!("{} contracting authorities", c.as_str()),
            },
            t.amount_pounds,
            if t.includes_vat { " incl. VAT" } else { "" },
            if t.confirmed { "" } else { " (to confirm)" },
            if t.above { "at or above" } else { "below" }
        );
    }
    if a.routes
        .threshold
        .as_ref()
        .is_some_and(|t| t.authority_class != AuthorityClass::All)
    {
        for line in contract_authorities(a) {
            let _ = writeln!(s, "  {line}");
        }
    }
    if let Some(cc) = &a.routes.considerable_change {
        let _ = writeln!(
            s,
            "  considerable change: {} ({})",
            if cc.considerable { "yes" } else { "no" },
            cc.citation
        );
    }
    let _ = writeln!(s, "\nPermitted:");
    for p in &a.routes.permitted {
        let _ = writeln!(
            s,
            "  + {}{} [{}]\n      {}",
            p.title,
            if p.required { " (required)" } else { "" },
            p.citation,
            p.reason
        );
    }
    if a.routes.permitted.is_empty() {
        let _ = writeln!(s, "  none");
    }
    let _ = writeln!(s, "\nRefused:");
    if a.routes.refused.is_empty() {
        let _ = writeln!(s, "  none");
    }
    for p in &a.routes.refused {
        let _ = writeln!(s, "  - {} [{}]\n      {}", p.title, p.citation, p.reason);
    }
    if !a.routes.steps.is_empty() {
        let _ = writeln!(s, "\nSteps:");
        for st in &a.routes.steps {
            let scope = if st.processes.is_empty() {
                String::new()
            } else {
                format!(" ({})", st.processes.join(", "))
            };
            let _ = writeln!(s, "  * {}{} [{}]", st.text, scope, st.citation);
        }
    }
    for ss in &a.routes.standstill {
        let unit = match ss.unit {
            DayUnit::Working => "working",
            DayUnit::Calendar => "calendar",
        };
        let _ = write!(s, "\nStandstill: {} {unit} days [{}]", ss.days, ss.citation);
        if !ss.confirmed {
            let _ = write!(s, " (counting rule to confirm)");
        }
        let _ = writeln!(s);
        let wd = |d: Date| format!("{} {d}", weekday(d));
        if !ss.voluntary_for.is_empty() {
            let _ = writeln!(
                s,
                "  voluntary, not mandatory, for: {} [{}]",
                ss.voluntary_for.join(", "),
                ss.citation
            );
        }
        if let (Some(n), Some(last)) = (ss.notice_date, ss.last_day) {
            let _ = writeln!(
                s,
                "  notice {}: standstill ends {}; the contract may be entered into from {}",
                wd(n),
                wd(last),
                ss.earliest_contract_date.map(wd).unwrap_or_else(|| {
                    "no date: the standstill ends on the last day of the calendar".into()
                })
            );
        }
        if let Some(l) = ss.latest_notice_for_start {
            let _ = writeln!(
                s,
                "  publish the notice by {} (a working day) for the contract to start on {}",
                wd(l),
                wd(c.start)
            );
        }
        let _ = writeln!(
            s,
            "  working days as defined in {}{}",
            ss.working_day_citation,
            if ss.working_day_confirmed {
                ""
            } else {
                " (to confirm)"
            }
        );
    }
    if !a.routes.key_criteria.is_empty() {
        let _ = writeln!(s, "\nKey criteria to assess and record:");
        for k in &a.routes.key_criteria {
            let _ = writeln!(s, "  * {} [{}]", k.text, k.citation);
        }
    }
    if !a.findings.requirements.is_empty() {
        let _ = writeln!(s, "\nRequirements from the register:");
        for m in &a.findings.requirements {
            let _ = writeln!(
                s,
                "  * {} `{}`: {} [{}]",
                if m.binding { "BINDING" } else { "NOT BINDING" },
                m.mandate,
                m.text,
                m.basis.as_deref().unwrap_or("cites no basis")
            );
            let _ = writeln!(s, "      authority: {}", m.authority);
            for u in &m.unmet {
                let _ = writeln!(s, "      unmet: {u}");
            }
        }
    }
    for ih in &a.findings.in_house {
        let _ = writeln!(
            s,
            "\nIn-house evidence for `{}`: {}",
            ih.mandate,
            if ih.compliant {
                "complete"
            } else {
                "INCOMPLETE"
            }
        );
        for r in &ih.recorded {
            let _ = writeln!(
                s,
                "  + {} ({})",
                r.required,
                r.record.as_deref().unwrap_or("no record reference")
            );
        }
        for m in &ih.missing {
            let _ = writeln!(s, "  - missing: {m}");
        }
    }
    let _ = writeln!(s, "\nCommissioners holding {} on {}:", c.function, c.start);
    for p in &a.findings.participants {
        let _ = writeln!(
            s,
            "  {} {} {}: {}",
            if p.holds { "+" } else { "-" },
            p.body,
            p.name,
            p.reason
        );
    }
    if let Some(col) = &a.findings.collective {
        let _ = writeln!(
            s,
            "\nCollective procurement: {}",
            if col.valid {
                "every participant may take part"
            } else {
                "NOT VALID"
            }
        );
        if !col.lacking.is_empty() {
            let _ = writeln!(s, "  lacking the function: {}", col.lacking.join(", "));
        }
        for n in &col.notes {
            let _ = writeln!(s, "  {n}");
        }
    }
    if !a.findings.liabilities.is_empty() {
        let _ = writeln!(s, "\nLiabilities:");
        for l in &a.findings.liabilities {
            let amount = l
                .stranded_costs
                .map(|v| format!("£{v:.0}"))
                .unwrap_or_else(|| "stranded costs (not estimated)".into());
            let when = match (l.event, l.commissioner.as_deref()) {
                (LiabilityEvent::Leaves, Some(c)) => format!(" when {c} leaves"),
                (LiabilityEvent::Leaves, None) => " when a commissioner leaves".into(),
                (LiabilityEvent::Ends, _) => " when the arrangement ends".into(),
            };
            let _ = writeln!(
                s,
                "  * {amount} on {}{when}: borne by {} ({})",
                l.on, l.borne_by, l.basis
            );
            if let Some(w) = &l.warning {
                let _ = writeln!(s, "      {w}");
            }
        }
    }
    if !a.notes.is_empty() {
        let _ = writeln!(s, "\nNotes:");
        for n in &a.notes {
            let _ = writeln!(s, "  * {n}");
        }
    }
    s
}

/// Each commissioner's class as a contracting authority, in words, with its source.
fn contract_authorities(a: &Assessment) -> Vec<String> {
    a.contracting_authorities
        .iter()
        .map(|ca| {
            format!(
                "{}: {} ({}){}",
                ca.body,
                match ca.class {
                    Some(c) => format!("{} contracting authority", c.as_str()),
                    None => "class not in the data".into(),
                },
                ca.source.as_deref().unwrap_or("no source"),
                if ca.confirmed { "" } else { " (to confirm)" }
            )
        })
        .collect()
}

/// A what-if on a power as text: what changed, then the whole answer with the change.
pub fn what_if(w: &WhatIf) -> String {
    let mut s = String::new();
    let _ = match &w.change {
        PowerChange::Add { power } => writeln!(
            s,
            "What if: power `{}` ({}) were in the register",
            power.id, power.title
        ),
        PowerChange::Remove { id } => {
            writeln!(s, "What if: power `{id}` were not in the register")
        }
    };
    if w.authority_changes.is_empty() {
        let _ = writeln!(s, "\nNo requirement's authority changes.");
    } else {
        let _ = writeln!(s, "\nRequirements whose authority changes:");
        let rests = |b: bool| {
            if b {
                "rests on a power"
            } else {
                "rests on no power"
            }
        };
        let authority = |a: &Assessment, id: &str| {
            a.findings
                .requirements
                .iter()
                .find(|m| m.mandate == id)
                .map(|m| m.authority.clone())
                .unwrap_or_default()
        };
        for c in &w.authority_changes {
            let _ = writeln!(
                s,
                "  * `{}`: {} -> {}\n      before: {}\n      after:  {}",
                c.mandate,
                rests(c.before),
                rests(c.after),
                authority(&w.before, &c.mandate),
                authority(&w.after, &c.mandate)
            );
        }
    }
    if w.newly_permitted.is_empty() && w.newly_refused.is_empty() {
        let _ = writeln!(s, "The permitted processes do not change.");
    }
    if !w.newly_permitted.is_empty() {
        let _ = writeln!(s, "Newly permitted: {}", w.newly_permitted.join(", "));
    }
    if !w.newly_refused.is_empty() {
        let _ = writeln!(s, "Newly refused: {}", w.newly_refused.join(", "));
    }
    let _ = writeln!(s, "\n--- The answer with the change ---\n");
    s.push_str(&assessment(&w.after));
    s
}

/// The decision report as text for the terminal.
pub fn decision_report(r: &DecisionReport) -> String {
    let d = &r.decision;
    let mut s = format!(
        "Decision {} ({}{}, {}): {}\nVoting after exclusions: {} of quorum {} ({})\n",
        d.id,
        d.body,
        d.committee
            .as_deref()
            .map(|c| format!(", {c}"))
            .unwrap_or_default(),
        d.date,
        d.subject,
        r.voting_after_exclusions,
        d.quorum,
        if r.quorate { "quorate" } else { "NOT QUORATE" }
    );
    match &r.policy.policy {
        Some(p) => s.push_str(&format!(
            "Rules: {} ({}, {} on {}){}\n",
            p.citation(),
            r.policy.body,
            r.policy.kind.as_deref().unwrap_or("kind unknown"),
            r.policy.on,
            r.policy
                .procurement_citation
                .as_deref()
                .map(|c| format!("; procurement rules: {c}"))
                .unwrap_or_default()
        )),
        None => s.push_str(&format!(
            "Rules: no conflicts guidance in the data for {} ({}) on {} (to confirm)\n",
            r.policy.body,
            r.policy.kind.as_deref().unwrap_or("kind unknown"),
            r.policy.on
        )),
    }
    s.push_str(&findings_text(&r.findings));
    if !r.register_findings.is_empty() {
        s.push_str("Registers:\n");
        s.push_str(&findings_text(&r.register_findings));
    }
    s
}

fn findings_text(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "No findings.\n".into();
    }
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {}: {} [{}]\n",
                f.code,
                match f.severity {
                    FindingSeverity::Error => "error",
                    FindingSeverity::Warning => "warning",
                    FindingSeverity::Info => "info",
                },
                f.message,
                f.citation
            )
        })
        .collect()
}
