//! The checks on a register of interests and of gifts and hospitality, each entry under
//! the policy in force for its body on the entry's date: gifts and hospitality outside the
//! limits (C008), cash or vouchers (C011), gifts from one source over the cumulative window
//! (C012), late declarations (C013), and limits the data does not have (C015).

use super::context::Ctx;
use super::finding::{self, Finding, FindingSeverity};
use super::policy::{policy_for, Policy};
use super::records::{Gift, GiftKind, GiftOutcome, InterestRegister};
use crate::contract::normalise;
use crate::ProcureError;
use jiff::civil::Date;

fn register_finding(
    register: &InterestRegister,
    code: &'static str,
    severity: FindingSeverity,
    person: &str,
    counterparty: Option<&str>,
    message: String,
    citation: String,
) -> Finding {
    Finding {
        code,
        severity,
        subject: register.body.clone(),
        person: Some(person.to_string()),
        counterparty: counterparty.map(str::to_string),
        message,
        citation,
    }
}

/// Checks one register of interests and of gifts and hospitality against the policy in
/// force for its body on each entry's date: gifts and hospitality outside the limits (C008),
/// cash or vouchers accepted (C011), several gifts from one source over the cumulative
/// window (C012), interests declared late (C013), and limits the data does not know (C015).
pub(crate) fn check_register_in(
    register: &InterestRegister,
    ctx: &Ctx,
) -> Result<Vec<Finding>, ProcureError> {
    let mut out = Vec::new();
    let policy_on = |on: Date| -> Result<Option<&'static Policy>, ProcureError> {
        match ctx.kind_on(&register.body, on) {
            Some(k) => policy_for(k, on),
            None => Ok(None),
        }
    };
    let unknown = |what: &str, on: Date| {
        format!(
            "no conflicts guidance in the data for {} ({}) on {on}: {what} not checked (to confirm)",
            register.body,
            ctx.kind_on(&register.body, on).unwrap_or("kind unknown"),
        )
    };
    for g in register
        .gifts
        .iter()
        .filter(|g| g.outcome == GiftOutcome::Accepted)
    {
        let Some(p) = policy_on(g.date)? else {
            out.push(register_finding(
                register,
                finding::LIMITS_NOT_KNOWN,
                FindingSeverity::Info,
                &g.declarant,
                Some(&g.giver),
                format!(
                    "{} accepted {} (£{:.2}) from {} on {}",
                    g.declarant, g.description, g.value, g.giver, g.date
                ),
                unknown("the gift", g.date),
            ));
            continue;
        };
        if g.cash_or_voucher && p.cash_and_vouchers_declined == Some(true) {
            out.push(register_finding(register, finding::CASH_OR_VOUCHER, FindingSeverity::Warning, &g.declarant, Some(&g.giver),
                format!("{} accepted cash or vouchers ({}, £{:.2}) from {} on {}: gifts of cash and vouchers to individuals should always be declined", g.declarant, g.description, g.value, g.giver, g.date),
                p.citation()));
        }
        let (limit, rule) = match g.kind {
            GiftKind::Gift if g.giver_is_supplier => (
                p.supplier_gift_decline_above,
                "the limit for gifts from suppliers or contractors",
            ),
            GiftKind::Hospitality => (
                p.hospitality_refuse_above,
                "the limit above which hospitality is refused without senior approval",
            ),
            GiftKind::Gift => continue,
        };
        match limit {
            None => out.push(register_finding(register, finding::LIMITS_NOT_KNOWN, FindingSeverity::Info, &g.declarant, Some(&g.giver),
                format!("{} accepted {} (£{:.2}) from {} on {}: {} is not in the data for this guidance, so it was not checked", g.declarant, g.description, g.value, g.giver, g.date, rule),
                p.citation())),
            Some(lim) => {
                let breach = match g.kind {
                    GiftKind::Gift if lim == 0.0 => Some("gifts from suppliers or contractors should be declined, whatever their value".to_string()),
                    GiftKind::Gift if g.value > lim => Some(format!("a gift from a supplier or contractor worth more than £{lim:.0} should be declined")),
                    GiftKind::Hospitality if g.value > lim && g.approved_by.is_none() => Some(format!("hospitality above £{lim:.0} should be refused unless a senior officer approves it")),
                    _ => None,
                };
                if let Some(why) = breach {
                    out.push(register_finding(register, finding::GIFT_OUTSIDE_POLICY, FindingSeverity::Warning, &g.declarant, Some(&g.giver),
                        format!("{} accepted {} (£{:.2}) from {} on {}: {why}", g.declarant, g.description, g.value, g.giver, g.date),
                        p.citation()));
                }
            }
        }
    }
    // Several gifts from one source: the first that takes the total over the limit within
    // the window is reported, when no single gift in the window is over it.
    let mut gifts: Vec<&Gift> = register
        .gifts
        .iter()
        .filter(|g| {
            g.outcome == GiftOutcome::Accepted && g.kind == GiftKind::Gift && !g.giver_is_supplier
        })
        .collect();
    gifts.sort_by_key(|g| g.date);
    let mut reported: Vec<(String, crate::parties::Party)> = Vec::new();
    for (i, g) in gifts.iter().enumerate() {
        let Some(p) = policy_on(g.date)? else {
            continue;
        };
        let (Some(months), Some(limit)) = (p.cumulative_months, p.other_gift_declare_from) else {
            continue;
        };
        let source = ctx.parties.resolve(&g.giver, g.date);
        let who = normalise(&g.declarant);
        if reported.iter().any(|(w, s)| *w == who && *s == source) {
            continue;
        }
        let window: Vec<&&Gift> = gifts[..=i]
            .iter()
            .filter(|h| {
                normalise(&h.declarant) == who
                    && ctx.parties.resolve(&h.giver, h.date) == source
                    && h.date
                        .checked_add(jiff::Span::new().months(months))
                        .is_ok_and(|end| g.date < end)
            })
            .collect();
        let total: f64 = window.iter().map(|h| h.value).sum();
        if window.len() > 1 && total > limit && window.iter().all(|h| h.value <= limit) {
            reported.push((who, source));
            out.push(register_finding(register, finding::CUMULATIVE_GIFTS, FindingSeverity::Warning, &g.declarant, Some(&g.giver),
                format!("{} accepted {} gifts from {} within {months} months up to {} totalling £{total:.2}: together they are treated as one gift over £{limit:.0} (accepted only on behalf of the organisation, and declared)", g.declarant, window.len(), g.giver, g.date),
                p.citation()));
        }
    }
    // Declarations made late.
    for x in &register.interests {
        let Some(declared) = x.declared else { continue };
        let Some(p) = policy_on(x.from)? else {
            continue;
        };
        let Some(days) = p.declare_within_days else {
            continue;
        };
        let due = x.from.checked_add(jiff::Span::new().days(days)).ok();
        if due.is_some_and(|due| declared > due) {
            out.push(register_finding(register, finding::DECLARED_LATE, FindingSeverity::Warning, &x.declarant, Some(&x.counterparty),
                format!("{}'s {} interest in {} arose on {} and was declared on {}: more than {days} days later", x.declarant, x.kind.as_str(), x.counterparty, x.from, declared),
                p.citation()));
        }
    }
    Ok(out)
}
