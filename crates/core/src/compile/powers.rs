//! The power an instrument rests on: its maker must hold a power, under the basis it cites,
//! to make that kind of instrument on its date towards its receivers (V004, V020). An Act of
//! Parliament rests on none.

use super::checks::FieldChecker;
use super::show_life;
use crate::model::body::BodyKind;
use crate::model::diagnostic::{codes, Severity};
use crate::model::instrument::{Instrument, InstrumentId, InstrumentKind, Receivers};

impl FieldChecker<'_> {
    /// Does the maker hold a power to make this kind of instrument, under the cited basis, then?
    pub(super) fn check_power(&mut self, i: InstrumentId, ins: &Instrument) {
        use InstrumentKind as K;
        let is_mandate = ins.kind == K::Mandate;
        if !(ins.kind.is_arrangement() || is_mandate || ins.kind == K::Merge) {
            return;
        }
        let Some(maker) = ins
            .maker
            .as_ref()
            .and_then(|m| self.reg.body_near(m, ins.from))
        else {
            return;
        };
        let maker_kind = self.reg.body(maker).kind;
        // Parliament is sovereign: an Act needs no power to rest on.
        if maker_kind == BodyKind::Parliament {
            return;
        }
        let code = if is_mandate {
            codes::REQUIREMENT_WITHOUT_POWER
        } else {
            codes::NO_POWER
        };
        let Some(basis) = ins
            .terms()
            .basis
            .as_deref()
            .filter(|b| !b.trim().is_empty())
        else {
            let maker_code = &self.reg.body(maker).code;
            let msg = if is_mandate {
                format!("this requirement by {maker_code} cites no power at all")
            } else {
                format!("this {} by {maker_code} cites no legal basis", ins.kind)
            };
            self.diag_in(
                (i, ins),
                code,
                Severity::Error,
                ins.spans().basis,
                msg,
                "add `basis \"<Act> s.<section>\"` naming the power it rests on; `vires powers` lists them",
            );
            return;
        };
        // Most instruments share a handful of bases: match each distinct one once.
        if !self.cited.contains_key(basis) {
            let ids: Vec<usize> = self
                .reg
                .powers
                .iter()
                .enumerate()
                .filter(|(_, p)| p.cited_by(basis))
                .map(|(pi, _)| pi)
                .collect();
            self.cited.insert(basis.to_owned(), ids);
        }
        let reg = &self.reg;
        // A maker that names itself among the receivers (a joint committee it sits on)
        // is not a receiver the power has to allow.
        let receivers_allowed = |p: &crate::model::power::Power| match &ins.terms().receivers {
            Receivers::Every(k) => p.receivers.contains(k),
            Receivers::Bodies(bs) => bs
                .iter()
                .filter_map(|b| reg.body_near(b, ins.from))
                .filter(|&b| b != maker)
                .all(|b| p.receivers.contains(&reg.body(b).kind)),
        };
        let holds = |p: &crate::model::power::Power| {
            p.kinds.contains(&ins.kind)
                && p.makers.contains(&maker_kind)
                && p.during.contains(ins.from)
                && (p.receivers.is_empty() || receivers_allowed(p))
        };
        let cited_ids = &self.cited[basis];
        if let Some(&pi) = cited_ids.iter().find(|&&pi| holds(&reg.powers[pi])) {
            self.out.rests_on.push((i.0, pi as u32));
            return;
        }
        let cited: Vec<&crate::model::power::Power> =
            cited_ids.iter().map(|&pi| &reg.powers[pi]).collect();
        let maker_code = reg.body(maker).code.clone();
        // A citation of a section names its Act too ("NHS Act 2006 s.13Z" cites the Act's own
        // power as well as s.13Z's): the reasons speak of the most specific powers cited, not
        // of one whose every citation is the Act a cited section belongs to ("s." names a
        // section once normalised) or part of another's ("s.14Z3" of "s.14Z3(2A)").
        let found: Vec<Vec<String>> = cited.iter().map(|p| p.cites_in(basis)).collect();
        let within_another = |i: usize| {
            found[i].iter().all(|c| {
                found.iter().enumerate().any(|(j, other)| {
                    j != i
                        && other.iter().any(|o| {
                            (o.len() > c.len() && o.contains(c.as_str()))
                                || (o.contains("s.") && !c.contains("s."))
                        })
                })
            })
        };
        let mut reasons = Vec::new();
        for (_, p) in cited
            .iter()
            .enumerate()
            .filter(|(i, _)| !within_another(*i))
        {
            if !p.kinds.contains(&ins.kind) {
                reasons.push(format!(
                    "{} does not provide for {} {}",
                    p.title,
                    article(ins.kind.as_str()),
                    ins.kind
                ));
            } else if !p.makers.contains(&maker_kind) {
                reasons.push(format!(
                    "{} is not a power of {} {maker_kind}",
                    p.title,
                    article(maker_kind.as_str())
                ));
            } else if !p.during.contains(ins.from) {
                reasons.push(format!(
                    "{} was not in force on {} (in force {})",
                    p.title,
                    ins.from,
                    show_life(p.during)
                ));
            } else {
                let allowed: Vec<&str> = p.receivers.iter().map(|k| k.as_str()).collect();
                reasons.push(format!(
                    "{} lets the maker act only towards {}",
                    p.title,
                    allowed.join(", ")
                ));
            }
        }
        let message = if cited.is_empty() {
            if is_mandate {
                format!(
                    "the requirement rests on no power: `{basis}` cites no power in the registry"
                )
            } else {
                format!("`{basis}` cites no power in the registry")
            }
        } else if is_mandate {
            format!("the requirement rests on no power: {}", reasons.join("; "))
        } else {
            format!(
                "{maker_code} lacked the power on {}: {}",
                ins.from,
                reasons.join("; ")
            )
        };
        self.diag_in(
            (i, ins),
            code,
            Severity::Error,
            ins.spans().basis,
            message,
            "cite a power that lets this kind of body make this instrument on this date; `vires powers` lists them",
        );
    }
}

/// "a" or "an" before a kind's name as written ("an icb", "a ccg", "an amend").
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}
