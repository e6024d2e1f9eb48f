//! Registers of interests and of gifts and hospitality, and decision records, as the CSV
//! tables a body publishes: one table each, every cell guarded by the one writer
//! ([`crate::csv`]), because published registers are opened by the public in spreadsheets.

use crate::csv::Table;
use vires_procure::conflicts::{Decision, GiftKind, GiftOutcome, InterestRegister};

/// The register of interests: one row per interest.
pub fn interests(register: &InterestRegister) -> Table {
    let mut t = Table::new(&[
        "body",
        "declarant",
        "role",
        "type",
        "counterparty",
        "description",
        "from",
        "to",
    ]);
    for x in &register.interests {
        t.row([
            register.body.clone(),
            x.declarant.clone(),
            x.role.clone(),
            x.kind.as_str().to_string(),
            x.counterparty.clone(),
            x.description.clone().unwrap_or_default(),
            x.from.to_string(),
            x.to.map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    t
}

/// The register of gifts and hospitality: one row per gift or hospitality offered.
pub fn gifts(register: &InterestRegister) -> Table {
    let mut t = Table::new(&[
        "body",
        "declarant",
        "kind",
        "description",
        "value",
        "date",
        "giver",
        "outcome",
        "approved_by",
    ]);
    for g in &register.gifts {
        t.row([
            register.body.clone(),
            g.declarant.clone(),
            match g.kind {
                GiftKind::Gift => "gift".into(),
                GiftKind::Hospitality => "hospitality".into(),
            },
            g.description.clone(),
            format!("{:.2}", g.value),
            g.date.to_string(),
            g.giver.clone(),
            match g.outcome {
                GiftOutcome::Accepted => "accepted".into(),
                GiftOutcome::Declined => "declined".into(),
            },
            g.approved_by.clone().unwrap_or_default(),
        ]);
    }
    t
}

/// The decision record: one row per participant and declaration (a participant who declared
/// nothing has one row with the last two cells empty).
pub fn decision(d: &Decision) -> Table {
    let mut t = Table::new(&[
        "decision",
        "body",
        "committee",
        "date",
        "subject",
        "person",
        "role",
        "voting",
        "declared_interest_in",
        "managed",
    ]);
    for p in &d.participants {
        let declared: Vec<(String, String)> = match d.declarations_of(&p.person).as_slice() {
            [] => vec![(String::new(), String::new())],
            decls => decls
                .iter()
                .map(|x| (x.counterparty.clone(), x.managed.as_str().to_string()))
                .collect(),
        };
        for (counterparty, managed) in declared {
            t.row([
                d.id.clone(),
                d.body.clone(),
                d.committee.clone().unwrap_or_default(),
                d.date.to_string(),
                d.subject.clone(),
                p.person.clone(),
                p.role.clone().unwrap_or_default(),
                p.voting.to_string(),
                counterparty,
                managed,
            ]);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_are_quoted_and_guarded() {
        let r = InterestRegister::from_json(
            r#"{"body":"02Q","interests":[{"declarant":"<script>x</script>","role":"GP","type":"financial","counterparty":"=HYPERLINK(\"a\")","from":"2014-01-01"}],
                "gifts":[{"declarant":"A & B","kind":"gift","description":"pen, \"nice\"","value":5,"date":"2016-09-01","giver":"Acme","outcome":"accepted"}]}"#,
        )
        .unwrap();
        // RFC 4180 quoting, and a formula made text with a leading apostrophe.
        assert_eq!(
            interests(&r).to_text().unwrap(),
            "body,declarant,role,type,counterparty,description,from,to\n\
             02Q,<script>x</script>,GP,financial,\"'=HYPERLINK(\"\"a\"\")\",,2014-01-01,\n"
        );
        assert_eq!(
            gifts(&r).to_text().unwrap(),
            "body,declarant,kind,description,value,date,giver,outcome,approved_by\n\
             02Q,A & B,gift,\"pen, \"\"nice\"\"\",5.00,2016-09-01,Acme,accepted,\n"
        );
    }

    #[test]
    fn the_worked_examples_one_row_each() {
        let r = InterestRegister::from_json(include_str!(
            "../../../examples/procurement/register_of_interests_02X.json"
        ))
        .unwrap();
        let csv = interests(&r).to_text().unwrap();
        assert_eq!(csv.lines().count(), 1 + r.interests.len());
        let g = gifts(&r).to_text().unwrap();
        assert_eq!(g.lines().count(), 1 + r.gifts.len());
        let d = Decision::from_json(include_str!(
            "../../../examples/procurement/decision_undeclared_gp_interest.json"
        ))
        .unwrap();
        // Each participant declared at most one interest: one row each.
        assert!(d
            .participants
            .iter()
            .all(|p| d.declarations_of(&p.person).len() <= 1));
        let csv = decision(&d).to_text().unwrap();
        assert_eq!(csv.lines().count(), 1 + d.participants.len());
    }
}
