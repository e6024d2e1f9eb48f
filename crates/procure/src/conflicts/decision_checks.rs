//! The checks on a decision record against the registers of interests of the bodies taking
//! part: undeclared or unmanaged interests (C001, C002, C010), declarations not on the
//! register (C006), quorum after exclusions (C003), a GP deciding on their own practice
//! (C004), a joint appointment on both sides (C005), gifts from a counterparty (C007),
//! unknown participants (C009), and a register not reviewed in time (C014).

use super::context::Ctx;
use super::finding::{self, Finding, FindingSeverity};
use super::records::{Decision, Declaration, GiftOutcome, InterestRegister, Management, Person};
use crate::contract::normalise;
use std::collections::{HashMap, HashSet};

/// Checks a decision record against the register of interests of the deciding body, under
/// the policy in force for the deciding body's kind on the decision's date.
pub(crate) fn check_decision_in(
    decision: &Decision,
    register: &InterestRegister,
    ctx: &Ctx,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let on = decision.date;
    let subj = decision.id.clone();
    let party = |a: &str, b: &str| ctx.parties.same(a, b, on);
    // Each participant's entries are looked up by their normalised name, and counterparties
    // by what they resolve to, so the check is linear in participants and entries rather
    // than comparing every participant with every entry.
    let counterparties: HashSet<crate::parties::Party> = decision
        .counterparties
        .iter()
        .map(|c| ctx.parties.resolve(c, on))
        .collect();
    let is_counterparty = |x: &str| counterparties.contains(&ctx.parties.resolve(x, on));
    let declarations = by_name(&decision.declarations, |d| &d.person);
    let interests = by_name(&register.interests, |x| &x.declarant);
    let gifts = by_name(&register.gifts, |g| &g.declarant);
    let people: HashMap<String, &Person> = register
        .people
        .iter()
        .rev()
        .map(|p| (normalise(&p.name), p))
        .collect();
    let declaration = |person: &str, cp: &str| {
        declarations
            .get(&normalise(person))
            .and_then(|ds| ds.iter().copied().find(|d| party(&d.counterparty, cp)))
    };
    let kept_months = ctx.policy.and_then(|p| p.interest_kept_months_after_end);
    let guidance = ctx.guidance_citation();
    let legal = ctx.legal_citation();
    let cite = guidance.as_str();
    let push = |out: &mut Vec<Finding>,
                code,
                sev,
                person: &str,
                cp: Option<&str>,
                message: String,
                citation: &str| {
        out.push(Finding {
            code,
            severity: sev,
            subject: subj.clone(),
            person: Some(person.to_string()),
            counterparty: cp.map(str::to_string),
            message,
            citation: citation.to_string(),
        })
    };

    for part in &decision.participants {
        let who = part.person.as_str();
        let key = normalise(who);
        let person = people.get(&key).copied();
        let theirs = interests.get(&key).map_or(&[][..], Vec::as_slice);
        if person.is_none() && theirs.is_empty() {
            push(&mut out, finding::UNKNOWN_PERSON, FindingSeverity::Warning, who, None,
                format!("{who} took part but is not on the register of {}: check that their interests were declared", register.body),
                cite);
        }
        // Registered interests in a counterparty.
        for x in theirs
            .iter()
            .copied()
            .filter(|x| is_counterparty(&x.counterparty))
        {
            let recently_ended = x.to.is_some_and(|t| {
                kept_months.is_some_and(|kept_months| {
                    t < on
                        && t.checked_add(jiff::Span::new().months(kept_months))
                            .is_ok_and(|kept| on <= kept)
                })
            });
            if !x.held_on(on) && !recently_ended {
                continue;
            }
            match declaration(who, &x.counterparty) {
                None if x.held_on(on) => push(&mut out, finding::UNDECLARED_INTEREST, FindingSeverity::Error, who, Some(&x.counterparty),
                    format!("{who} ({}) has a registered {} interest in {} but did not declare it at the decision", x.role, x.kind.as_str(), x.counterparty),
                    &legal),
                None => push(&mut out, finding::INTEREST_RECENTLY_ENDED, FindingSeverity::Warning, who, Some(&x.counterparty),
                    format!("{who}'s {} interest in {} ended on {} (less than {} months before the decision) and was not declared", x.kind.as_str(), x.counterparty, x.to.map(|d| d.to_string()).unwrap_or_default(), kept_months.unwrap_or_default()),
                    cite),
                Some(d) if d.managed == Management::NoAction && part.voting => push(&mut out, finding::UNMANAGED_INTEREST, FindingSeverity::Error, who, Some(&x.counterparty),
                    format!("{who} declared a {} interest in {} but it was not managed (no action) and they voted", x.kind.as_str(), x.counterparty),
                    &legal),
                Some(_) => {}
            }
        }
        // Declarations with no register entry.
        for d in declarations.get(&key).map_or(&[][..], Vec::as_slice) {
            let registered = theirs
                .iter()
                .any(|x| party(&x.counterparty, &d.counterparty));
            if !registered {
                push(&mut out, finding::DECLARED_NOT_REGISTERED, FindingSeverity::Warning, who, Some(&d.counterparty),
                    format!("{who} declared an interest in {} that is not on the register of {}; add it", d.counterparty, register.body),
                    cite);
            }
        }
        let Some(person) = person else { continue };
        let managed_by_exclusion =
            |cp: &str| declaration(who, cp).is_some_and(|d| d.managed == Management::Excluded);
        // The co-commissioning case: a GP deciding on a contract with their own practice.
        if let Some(pr) = person.practice.as_deref().filter(|pr| is_counterparty(pr)) {
            if !managed_by_exclusion(pr) {
                let how = match declaration(who, pr) {
                    None => "without declaring it".to_string(),
                    Some(d) => format!("and the interest was managed as `{}`", d.managed.as_str()),
                };
                push(&mut out, finding::GP_OWN_PRACTICE, FindingSeverity::Error, who, Some(pr),
                    format!("{who} is a GP at {pr}, a party to this decision, and took part {how}; a GP member must be excluded from decisions on their own practice"),
                    cite);
            }
        }
        // A joint appointment on both sides of a commissioner-provider decision.
        let on_commissioner_side = person.posts.iter().any(|p| party(&p.body, &decision.body));
        if on_commissioner_side {
            for post in person.posts.iter().filter(|p| is_counterparty(&p.body)) {
                if !managed_by_exclusion(&post.body) {
                    push(&mut out, finding::JOINT_APPOINTMENT, FindingSeverity::Error, who, Some(&post.body),
                        format!("{who} holds posts at {} (commissioner) and {} ({}, a party to the decision) and was not excluded", decision.body, post.body, post.role),
                        cite);
                }
            }
        }
        // Gifts and hospitality accepted from a counterparty in the year before.
        for g in gifts
            .get(&key)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|g| {
                g.outcome == GiftOutcome::Accepted
                    && is_counterparty(&g.giver)
                    && g.date <= on
                    && g.date
                        .checked_add(jiff::Span::new().years(1))
                        .is_ok_and(|y| on <= y)
            })
        {
            push(
                &mut out,
                finding::GIFT_FROM_COUNTERPARTY,
                FindingSeverity::Warning,
                who,
                Some(&g.giver),
                format!(
                    "{who} accepted {} worth £{:.2} from {} on {}, within a year of this decision",
                    g.description, g.value, g.giver, g.date
                ),
                cite,
            );
        }
    }

    // Quorum after exclusions.
    let cannot_vote = |person: &str| loses_vote(&declarations, person);
    let voting: Vec<&str> = decision
        .participants
        .iter()
        .filter(|p| p.voting)
        .map(|p| p.person.as_str())
        .collect();
    let excluded: Vec<&str> = voting.iter().copied().filter(|p| cannot_vote(p)).collect();
    let remaining = voting.len() - excluded.len();
    if (remaining as u64) < u64::from(decision.quorum) {
        out.push(Finding {
            code: finding::QUORUM_LOST,
            severity: FindingSeverity::Error,
            subject: subj.clone(),
            person: None,
            counterparty: None,
            message: if excluded.is_empty() {
                format!("{} voting members took part; the quorum is {}", voting.len(), decision.quorum)
            } else {
                format!(
                    "{} voting members took part but {} ({}) could not vote on the item, leaving {}; the quorum is {}: the decision is not quorate",
                    voting.len(),
                    excluded.len(),
                    excluded.join(", "),
                    remaining,
                    decision.quorum
                )
            },
            citation: cite.into(),
        });
    }
    out
}

/// `items` grouped by the normalised name `name` gives each, in their order.
pub(crate) fn by_name<T>(items: &[T], name: impl Fn(&T) -> &str) -> HashMap<String, Vec<&T>> {
    let mut out: HashMap<String, Vec<&T>> = HashMap::new();
    for item in items {
        out.entry(normalise(name(item))).or_default().push(item);
    }
    out
}

/// Whether `person` could not vote on the item: excluded, or allowed to speak only.
pub(crate) fn loses_vote(declarations: &HashMap<String, Vec<&Declaration>>, person: &str) -> bool {
    declarations.get(&normalise(person)).is_some_and(|ds| {
        ds.iter()
            .any(|d| matches!(d.managed, Management::Excluded | Management::SpeakNotVote))
    })
}

/// Merges the registers of the bodies taking part in a joint decision: people and interests
/// from all of them count.
pub(crate) fn merged_register(
    decision: &Decision,
    registers: &[InterestRegister],
) -> InterestRegister {
    let mut merged = InterestRegister {
        body: decision.body.clone(),
        name: decision.committee.clone(),
        reviewed: None,
        people: Vec::new(),
        interests: Vec::new(),
        gifts: Vec::new(),
    };
    // Where each person is in `merged.people`, by normalised name.
    let mut at: HashMap<String, usize> = HashMap::new();
    for r in registers {
        for p in &r.people {
            let found = at.get(&normalise(&p.name)).copied();
            match found.and_then(|i| merged.people.get_mut(i)) {
                Some(q) => {
                    q.posts.extend(p.posts.iter().cloned());
                    if q.practice.is_none() {
                        q.practice.clone_from(&p.practice);
                    }
                }
                None => {
                    at.insert(normalise(&p.name), merged.people.len());
                    merged.people.push(p.clone());
                }
            }
        }
        merged.interests.extend(r.interests.iter().cloned());
        merged.gifts.extend(r.gifts.iter().cloned());
    }
    merged
}

/// The registers' review: stale when the policy asks for an annual review and the register
/// was last reviewed longer ago than that before the decision (C014).
pub(crate) fn check_review(
    decision: &Decision,
    register: &InterestRegister,
    ctx: &Ctx,
) -> Option<Finding> {
    let p = ctx.policy?;
    let months = p.register_review_months?;
    let reviewed = register.reviewed?;
    let due = reviewed
        .checked_add(jiff::Span::new().months(months))
        .ok()?;
    (decision.date > due).then(|| Finding {
        code: finding::REGISTER_NOT_REVIEWED,
        severity: FindingSeverity::Warning,
        subject: decision.id.clone(),
        person: None,
        counterparty: None,
        message: format!(
            "the register of interests of {} was last reviewed on {reviewed}, more than {months} months before the decision",
            register.body
        ),
        citation: p.citation(),
    })
}
