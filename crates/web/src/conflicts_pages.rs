//! Registers of interests and of gifts and hospitality, and decision records with their
//! findings, as standalone HTML pages a body publishes (`vires conflicts export --as html`).
//! Every value is escaped; the page needs no stylesheet or script from elsewhere.

use std::fmt::Write as _;
use vires_procure::conflicts::{
    Decision, Finding, FindingSeverity, GiftKind, GiftOutcome, InterestRegister,
};

/// Both registers as a standalone HTML page for publication.
pub fn register_page(register: &InterestRegister) -> String {
    let title = format!(
        "Registers of interests and of gifts and hospitality: {}",
        register.name.as_deref().unwrap_or(&register.body)
    );
    let mut s = page_head(&title);
    let _ = writeln!(s, "<h2>Interests</h2>\n<table>\n<thead><tr><th>Declarant</th><th>Role</th><th>Type</th><th>Counterparty</th><th>Description</th><th>From</th><th>To</th></tr></thead>\n<tbody>");
    for x in &register.interests {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&x.declarant),
            esc(&x.role),
            esc(x.kind.as_str()),
            esc(&x.counterparty),
            esc(x.description.as_deref().unwrap_or("")),
            x.from,
            x.to.map(|d| d.to_string()).unwrap_or_default()
        );
    }
    let _ = writeln!(s, "</tbody>\n</table>\n<h2>Gifts and hospitality</h2>\n<table>\n<thead><tr><th>Declarant</th><th>Kind</th><th>Description</th><th>Value (£)</th><th>Date</th><th>Giver</th><th>Outcome</th></tr></thead>\n<tbody>");
    for g in &register.gifts {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&g.declarant),
            match g.kind {
                GiftKind::Gift => "gift",
                GiftKind::Hospitality => "hospitality",
            },
            esc(&g.description),
            g.value,
            g.date,
            esc(&g.giver),
            match g.outcome {
                GiftOutcome::Accepted => "accepted",
                GiftOutcome::Declined => "declined",
            }
        );
    }
    s.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    s
}

/// The decision record and the findings on it as a standalone HTML page.
pub fn decision_page(decision: &Decision, findings: &[Finding]) -> String {
    let mut s = page_head(&format!("Decision {}: {}", decision.id, decision.subject));
    let _ = writeln!(
        s,
        "<p>Decided by {}{} on {}. With: {}. Quorum: {}.</p>",
        esc(&decision.body),
        decision
            .committee
            .as_deref()
            .map(|c| format!(" ({})", esc(c)))
            .unwrap_or_default(),
        decision.date,
        esc(&decision.counterparties.join(", ")),
        decision.quorum
    );
    if let Some(o) = &decision.outcome {
        let _ = writeln!(s, "<p>Outcome: {}</p>", esc(o));
    }
    let _ = writeln!(s, "<h2>Who took part</h2>\n<table>\n<thead><tr><th>Person</th><th>Role</th><th>Voting</th><th>Declared interest in</th><th>Managed</th></tr></thead>\n<tbody>");
    for p in &decision.participants {
        let decls = decision.declarations_of(&p.person);
        let declared = decls
            .iter()
            .map(|d| d.counterparty.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let managed = decls
            .iter()
            .map(|d| d.managed.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.person),
            esc(p.role.as_deref().unwrap_or("")),
            if p.voting { "yes" } else { "no" },
            esc(&declared),
            esc(&managed)
        );
    }
    let _ = writeln!(s, "</tbody>\n</table>\n<h2>Findings</h2>");
    if findings.is_empty() {
        s.push_str("<p>No findings.</p>\n");
    } else {
        s.push_str("<ul>\n");
        for f in findings {
            let _ = writeln!(
                s,
                "<li><strong>{} {}</strong>: {} <em>({})</em></li>",
                esc(f.code),
                match f.severity {
                    FindingSeverity::Error => "error",
                    FindingSeverity::Warning => "warning",
                    FindingSeverity::Info => "info",
                },
                esc(&f.message),
                esc(&f.citation)
            );
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</body>\n</html>\n");
    s
}

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<style>body{{font-family:Arial,sans-serif;margin:2em}}table{{border-collapse:collapse}}th,td{{border:1px solid #b1b4b6;padding:4px 8px;text-align:left}}</style>\n</head>\n<body>\n<h1>{t}</h1>\n",
        t = esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        let r = InterestRegister::from_json(
            r#"{"body":"02Q","interests":[{"declarant":"<script>x</script>","role":"GP","type":"financial","counterparty":"=HYPERLINK(\"a\")","from":"2014-01-01"}],
                "gifts":[{"declarant":"A & B","kind":"gift","description":"pen, \"nice\"","value":5,"date":"2016-09-01","giver":"Acme","outcome":"accepted"}]}"#,
        )
        .unwrap();
        let h = register_page(&r);
        assert!(h.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!h.contains("<script>"));
        assert!(h.contains("A &amp; B"));
        assert!(h.contains("pen, &quot;nice&quot;"));
    }

    #[test]
    fn the_worked_examples_as_pages() {
        let r = InterestRegister::from_json(include_str!(
            "../../../examples/procurement/register_of_interests_02X.json"
        ))
        .unwrap();
        assert!(register_page(&r).contains("<td>Dr A. Patel</td>"));
        let d = Decision::from_json(include_str!(
            "../../../examples/procurement/decision_undeclared_gp_interest.json"
        ))
        .unwrap();
        let f = Finding {
            code: vires_procure::conflicts::finding::UNDECLARED_INTEREST,
            severity: FindingSeverity::Error,
            subject: d.id.clone(),
            person: None,
            counterparty: None,
            message: "m".into(),
            citation: "c".into(),
        };
        let page = decision_page(&d, &[f]);
        assert!(
            page.contains("<li><strong>C001 error</strong>: m <em>(c)</em></li>"),
            "{page}"
        );
        assert!(decision_page(&d, &[]).contains("<p>No findings.</p>"));
    }
}
