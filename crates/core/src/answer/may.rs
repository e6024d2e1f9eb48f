//! `may`: may a body exercise a function at a place on a date, for a purpose? `who` without
//! a purpose (part by part for a larger place), asked whether the body is among its holders
//! for all of the function, all of the place and the purpose; else why not.

use crate::answer::naming::{name_first, the_place, NAMED};
use crate::answer::query::{Caveat, CaveatKind, Coverage, MayAnswer, Part, QueryError};
use crate::answer::resolve::{with_scratch, Row, Scratch};
use crate::model::body::BodyId;
use crate::model::function::FunctionId;
use crate::model::place::Place;
use crate::snapshot::{GrantId, Snapshot};
use jiff::civil::Date;

impl Snapshot {
    /// May `body` exercise `function` at `place` on `on` for `purpose`? Yes or no, with the proof.
    pub fn may(
        &self,
        body: &str,
        function: &str,
        place: &Place,
        on: Date,
        purpose: Option<&str>,
    ) -> Result<MayAnswer, QueryError> {
        with_scratch(|s| self.may_in(body, function, place, on, purpose, s))
    }

    /// `may` is `who` without a purpose (part by part for a larger place), asked whether
    /// `body` is among its holders for all of the place and for the purpose.
    fn may_in(
        &self,
        body: &str,
        function: &str,
        place: &Place,
        on: Date,
        purpose: Option<&str>,
        scratch: &mut Scratch,
    ) -> Result<MayAnswer, QueryError> {
        let f = self.function_id(function)?;
        let b = self.body_on(body, on)?;
        let (rows, accountable_only, caveats) =
            self.who_in(f, place, on, None, scratch, |row| row)?;
        // The rows holding all of what their grant is for (a kept part is a part).
        let r: Vec<(GrantId, Coverage)> = rows
            .iter()
            .filter(|w| w.kept.is_none())
            .map(|w| (w.grant, w.coverage))
            .collect();
        let row = |gid: GrantId| rows.iter().find(|w| w.grant == gid && w.kept.is_none());
        let render = |gid: GrantId, cov: Coverage| match row(gid) {
            Some(w) => self.render(w.clone()),
            None => self.render_holder(gid, cov),
        };
        // The instrument a row rests on, and how many more it gathers.
        let under = |w: &Row| {
            let id = &self.register.instruments
                [self.grants[w.grant.0 as usize].instrument.0 as usize]
                .id;
            match w.gathered.len() {
                0 | 1 => format!("`{id}`"),
                n => format!("`{id}` and {} more (`who` lists them)", n - 1),
            }
        };
        let under_grant = |gid: GrantId| match row(gid) {
            Some(w) => under(w),
            None => {
                let id = &self.register.instruments
                    [self.grants[gid.0 as usize].instrument.0 as usize]
                    .id;
                format!("`{id}`")
            }
        };
        let limited = match self.holding_of(b, f, purpose, &r) {
            Ok((gid, cov)) => {
                let g = &self.grants[gid.0 as usize];
                return Ok(MayAnswer {
                    allowed: true,
                    body: body.to_string(),
                    function: function.to_string(),
                    on,
                    place: place.clone(),
                    purpose: purpose.map(str::to_string),
                    reason: {
                        let mut why = format!(
                            "{body} holds {function} here as {} under {}",
                            g.role,
                            under_grant(gid)
                        );
                        // Asked of a larger place, "here" is its practices whose record
                        // is settled; the others may not be the body's.
                        let open = unsettled(&caveats);
                        if open > 0 {
                            why.push_str(&format!(
                                ", at every practice whose record is settled; the register cannot say for {open} whose record is incomplete (see the caveat)"
                            ));
                        }
                        why
                    },
                    holding: Some(render(gid, cov)),
                    caveats,
                });
            }
            Err(limited) => limited,
        };
        let code = |g: GrantId| {
            self.register
                .body(self.grants[g.0 as usize].holder)
                .code
                .clone()
        };
        // The body's holdings of parts of the function (none for a function without parts):
        // it may act for those parts only.
        let tax = &self.register.taxonomy;
        let parts: Vec<&Row> = rows
            .iter()
            .filter(|w| {
                let g = &self.grants[w.grant.0 as usize];
                g.holder == b && (w.kept.is_some() || !tax.covers(g.function, f))
            })
            .collect();
        let mut holding = limited.map(|(g, c)| render(g, c));
        let reason = if let Some((gid, cov)) = limited {
            let g = &self.grants[gid.0 as usize];
            let instr = under_grant(gid);
            if cov == Coverage::Partial {
                match row(gid) {
                    Some(Row {
                        part: Some(part), ..
                    }) => where_and_not(body, function, place, on, &instr, part, &caveats),
                    _ => {
                        format!("{body} holds {function} for only part of {place} (under {instr})")
                    }
                }
            } else {
                let ps = self.purposes(g).join(", ");
                match purpose {
                    Some(p) => format!(
                        "{body} holds {function} here only for purposes {ps} under {instr}; `{p}` is outside them"
                    ),
                    None => format!(
                        "{body} holds {function} here only for purposes {ps} under {instr}; name a purpose to check it"
                    ),
                }
            }
        } else if let Some(&first) = parts.first() {
            let each: Vec<String> = parts
                .iter()
                .map(|w| {
                    let g = &self.grants[w.grant.0 as usize];
                    let mut one = format!(
                        "{} as {} under {}",
                        tax.name(w.kept.unwrap_or(g.function)),
                        g.role,
                        under(w)
                    );
                    if let Some(part) = &w.part {
                        one.push_str(&format!(
                            " (at {} of its {} practices)",
                            part.practices, part.of
                        ));
                    } else if w.coverage == Coverage::Partial {
                        one.push_str(" (in part of the place)");
                    }
                    one
                })
                .collect();
            holding = Some(self.render(first.clone()));
            format!(
                "{body} holds only parts of {function} here: {}; ask about a part to check it",
                each.join("; ")
            )
        } else if accountable_only.iter().any(|c| c == body) {
            let mut to: Vec<String> = r
                .iter()
                .filter(|(h, _)| self.grants[h.0 as usize].accountable == b)
                .map(|&(h, _)| code(h))
                .collect();
            to.sort();
            to.dedup();
            let whom = match to.len() {
                0..=NAMED => to.join(", "),
                n => format!("{n} bodies ({}; `who` lists them)", name_first(&to)),
            };
            format!(
                "{body} is accountable for {function} here but has arranged for {whom} to exercise it"
            )
        } else {
            format!("{body} holds no {function} at {place} on {on}")
        };
        Ok(MayAnswer {
            allowed: false,
            body: body.to_string(),
            function: function.to_string(),
            on,
            place: place.clone(),
            purpose: purpose.map(str::to_string),
            reason,
            holding,
            caveats,
        })
    }

    /// Among resolved holders, the holding that lets `b` act for all of `f` over all of the
    /// place for `purpose`; else the first of its holdings of `f` that does not
    /// (purpose-limited or partial).
    pub(crate) fn holding_of(
        &self,
        b: BodyId,
        f: FunctionId,
        purpose: Option<&str>,
        holders: &[(GrantId, Coverage)],
    ) -> Result<(GrantId, Coverage), Option<(GrantId, Coverage)>> {
        let mut limited = None;
        for &(gid, cov) in holders {
            let g = &self.grants[gid.0 as usize];
            // A holding of a part of `f` is not a holding of `f`.
            if g.holder != b || !self.register.taxonomy.covers(g.function, f) {
                continue;
            }
            let ps = self.purposes(g);
            let fits = ps.is_empty() || purpose.is_some_and(|p| ps.iter().any(|x| x == p));
            if fits && cov == Coverage::Full {
                return Ok((gid, cov));
            }
            limited.get_or_insert((gid, cov));
        }
        Err(limited)
    }
}

/// The reason `may` gives a body that holds the function at only part of a larger place:
/// where it may act (how many of the place's practices, in which area, under which
/// instrument) and where not, with the practices whose record cannot say set apart.
fn where_and_not(
    body: &str,
    function: &str,
    place: &Place,
    on: Date,
    instrument: &str,
    part: &Part,
    caveats: &[Caveat],
) -> String {
    let unsettled = unsettled(caveats);
    let not = part.of.saturating_sub(part.practices + unsettled);
    let area = if part.area.is_empty() {
        String::new()
    } else {
        format!(" over {}", part.area.join(" + "))
    };
    let mut out = format!(
        "{body} may exercise {function} in only part of {} on {on}: at {} of its {} practices, under {instrument}{area}; not at the other {not}",
        the_place(place),
        part.practices,
        part.of
    );
    if unsettled > 0 {
        out.push_str(&format!(
            ", and the register cannot say for {unsettled} whose record is incomplete (see the caveat)"
        ));
    }
    out
}

/// How many of a larger place's practices an answer's `incomplete-record` caveat names (none
/// for a practice, whose caveat has no part).
fn unsettled(caveats: &[Caveat]) -> u32 {
    caveats
        .iter()
        .filter(|c| c.kind == CaveatKind::IncompleteRecord)
        .filter_map(|c| c.part.as_ref())
        .map(|p| p.practices)
        .sum()
}
