//! The steps that move an application on. Each checks the application's state and the
//! round's rules first and changes nothing when it refuses.

use super::*;
use crate::Event;
use jiff::civil::Date;
use vires_core::{
    AreaExpr, Diagnostic, Instrument, InstrumentKind, Onward, Receivers, Register, SmolStr,
};

impl ApplicationRound {
    /// The last day an application at `level` is accepted.
    pub fn deadline_for(&self, level: Level) -> Date {
        self.level_deadlines
            .get(&level)
            .copied()
            .unwrap_or(self.deadline)
    }

    /// A new application in Draft.
    pub fn draft(
        &self,
        id: impl Into<String>,
        applicant: impl Into<String>,
        level: Level,
    ) -> Application {
        Application {
            id: id.into(),
            round: self.id.clone(),
            applicant: applicant.into(),
            level,
            evidence: Vec::new(),
            state: State::Draft,
            submitted: None,
            recommendation: None,
            decision: None,
            history: Vec::new(),
        }
    }

    fn own(&self, app: &Application) -> Result<(), RoundError> {
        if app.round != self.id {
            return Err(RoundError::WrongRound {
                application: app.id.clone(),
                expected: self.id.clone(),
                actual: app.round.clone(),
            });
        }
        Ok(())
    }

    /// Refuses `action` on an application of another round, or in a state it may not be
    /// taken in (`allowed` false; `rule` says which states it may be taken in).
    fn may_act(
        &self,
        app: &Application,
        action: &'static str,
        allowed: bool,
        rule: &'static str,
    ) -> Result<(), RoundError> {
        self.own(app)?;
        if !allowed {
            return Err(RoundError::IllegalTransition {
                application: app.id.clone(),
                action,
                state: app.state,
                rule,
            });
        }
        Ok(())
    }

    /// Submits a draft on `on`. Refused when late, early, incomplete, for a level not on
    /// offer, or by a body that may not apply.
    pub fn submit(
        &self,
        app: &mut Application,
        register: &Register,
        on: Date,
        actor: &str,
    ) -> Result<Event, RoundError> {
        self.may_act(
            app,
            "submit",
            app.state == State::Draft,
            "only a draft can be submitted",
        )?;
        if !self.levels.contains(&app.level) {
            return Err(RoundError::LevelNotOffered {
                application: app.id.clone(),
                round: self.id.clone(),
                level: app.level,
                offered: self
                    .levels
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        if on < self.opens {
            return Err(RoundError::Early {
                application: app.id.clone(),
                opens: self.opens,
                submitted: on,
            });
        }
        let deadline = self.deadline_for(app.level);
        if on > deadline {
            return Err(RoundError::Late {
                application: app.id.clone(),
                level: app.level,
                deadline,
                submitted: on,
            });
        }
        let body = register
            .body_at(&app.applicant, self.starts)
            .ok_or_else(|| RoundError::UnknownApplicant {
                applicant: app.applicant.clone(),
                round: self.id.clone(),
                on: self.starts,
            })?;
        let kind = register.body(body).kind;
        if !self.eligible.contains(&kind) {
            return Err(RoundError::NotEligible {
                applicant: app.applicant.clone(),
                kind,
                round: self.id.clone(),
                eligible: self
                    .eligible
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let missing: Vec<Criterion> = self
            .criteria
            .iter()
            .copied()
            .filter(|c| {
                !app.evidence
                    .iter()
                    .any(|e| e.criterion == *c && !e.text.trim().is_empty())
            })
            .collect();
        if !missing.is_empty() {
            return Err(RoundError::Incomplete {
                application: app.id.clone(),
                missing,
            });
        }
        let ev = Event::new(
            on,
            actor,
            "submit",
            &app.id,
            Some(format!(
                "{} applies for {} {}",
                app.applicant,
                app.level,
                self.functions.join(", ")
            )),
        );
        app.state = State::Submitted;
        app.submitted = Some(on);
        app.history.push(ev.clone());
        Ok(ev)
    }

    /// The regional team's recommendation on a submitted application.
    pub fn recommend(
        &self,
        app: &mut Application,
        on: Date,
        actor: &str,
        support: bool,
        reason: &str,
    ) -> Result<Event, RoundError> {
        self.may_act(
            app,
            "recommend",
            app.state == State::Submitted,
            "only a submitted application can be recommended",
        )?;
        forward(app, "recommend", on)?;
        let ev = Event::new(
            on,
            actor,
            if support {
                "recommend"
            } else {
                "recommend-against"
            },
            &app.id,
            Some(reason.to_string()),
        );
        app.state = State::Recommended;
        app.recommendation = Some(Recommendation {
            by: actor.to_string(),
            on,
            support,
            reason: reason.to_string(),
        });
        app.history.push(ev.clone());
        Ok(ev)
    }

    /// The instruments an approval of `app` issues, without changing anything: a
    /// delegation for the delegated level, a joint committee with the maker as a member for
    /// the joint level, nothing for greater involvement. The arrangement ends when the round
    /// says, or when the applicant ceases to exist if that is sooner, so that it never
    /// outlives its receiver (a CCG abolished with no successor would orphan it).
    pub fn instruments_for(
        &self,
        app: &Application,
        register: &Register,
        decided: Date,
    ) -> Vec<Instrument> {
        let from = self.starts.max(decided);
        let kind = match app.level {
            Level::GreaterInvolvement => return Vec::new(),
            Level::Joint => InstrumentKind::JointCommittee,
            Level::Delegated => InstrumentKind::Delegation,
        };
        let mut i = Instrument::new(format!("{}-{}", self.id, app.id), kind, from);
        i.title = match app.level {
            Level::Joint => format!(
                "Joint commissioning: {} and {} ({})",
                self.maker, app.applicant, self.title
            )
            .into(),
            _ => format!(
                "Delegated commissioning to {} ({})",
                app.applicant, self.title
            )
            .into(),
        };
        i.terms_mut().basis = Some(self.basis.clone());
        i.maker = Some(self.maker.as_str().into());
        i.terms_mut().receivers = match app.level {
            Level::Joint => Receivers::Bodies(vec![self.maker.clone(), app.applicant.clone()]),
            _ => Receivers::Bodies(vec![app.applicant.clone()]),
        };
        i.functions = self.functions.iter().map(SmolStr::new).collect();
        i.particulars_mut().except = self.except.clone();
        i.particulars_mut().retained = self.retained.clone();
        i.area = Some(AreaExpr::Footprint(app.applicant.as_str().into()));
        // A merger carries the arrangement on to the successor, so only an ending without
        // one limits it.
        let merged = register.instruments.iter().any(|m| {
            m.kind == InstrumentKind::Merge && m.particulars().predecessors.contains(&app.applicant)
        });
        let life_end = register
            .body_at(&app.applicant, from)
            .and_then(|b| register.body(b).life.until)
            .filter(|_| !merged);
        i.until = vires_core::interval::min_until(self.until, life_end);
        i.particulars_mut().review = self.review;
        i.onward = Onward::Forbidden;
        i.terms_mut().source = Some(format!(
            "{} decision of {} on application {} in round {} ({})",
            self.decider, decided, app.id, self.id, self.source
        ));
        vec![i]
    }

    /// The board approves a recommended application. Returns the instruments to add and
    /// the event; refuses (changing nothing) when the state does not allow it or the
    /// instruments would not be valid on top of `register`.
    pub fn approve(
        &self,
        app: &mut Application,
        register: &Register,
        on: Date,
        actor: &str,
    ) -> Result<Approval, RoundError> {
        self.may_act(
            app,
            "approve",
            app.state == State::Recommended,
            "only a recommended application can be approved",
        )?;
        forward(app, "approve", on)?;
        let instruments = self.instruments_for(app, register, on);
        for i in &instruments {
            if register.instruments.iter().any(|x| x.id == i.id) {
                return Err(RoundError::DuplicateInstrument {
                    application: app.id.clone(),
                    id: i.id.to_string(),
                });
            }
        }
        let errors: Vec<Diagnostic> = vires_core::Trial::of_instruments(register, &instruments)
            .errors()
            .cloned()
            .collect();
        if !errors.is_empty() {
            return Err(RoundError::InvalidInstruments {
                application: app.id.clone(),
                diagnostics: errors,
            });
        }
        let against = app.recommendation.as_ref().is_some_and(|r| !r.support);
        let reason = format!(
            "{} approved for {}{}{}",
            app.applicant,
            app.level,
            if instruments.is_empty() {
                String::from("; no function moves")
            } else {
                format!(
                    "; issues {}",
                    instruments
                        .iter()
                        .map(|i| i.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            if against {
                "; against the recommendation"
            } else {
                ""
            }
        );
        let ev = Event::new(on, actor, "approve", &app.id, Some(reason));
        app.state = State::Approved;
        app.decision = Some(Decision {
            by: actor.to_string(),
            on,
            approved: true,
            reasons: Vec::new(),
            instruments: instruments.iter().map(|i| i.id.to_string()).collect(),
        });
        app.history.push(ev.clone());
        Ok(Approval {
            instruments,
            event: ev,
        })
    }

    /// The board rejects a recommended application, with its reasons.
    pub fn reject(
        &self,
        app: &mut Application,
        on: Date,
        actor: &str,
        reasons: &[String],
    ) -> Result<Event, RoundError> {
        self.may_act(
            app,
            "reject",
            app.state == State::Recommended,
            "only a recommended application can be rejected",
        )?;
        if reasons.iter().all(|r| r.trim().is_empty()) {
            return Err(RoundError::NoReasons {
                application: app.id.clone(),
            });
        }
        forward(app, "reject", on)?;
        let ev = Event::new(on, actor, "reject", &app.id, Some(reasons.join("; ")));
        app.state = State::Rejected;
        app.decision = Some(Decision {
            by: actor.to_string(),
            on,
            approved: false,
            reasons: reasons.to_vec(),
            instruments: Vec::new(),
        });
        app.history.push(ev.clone());
        Ok(ev)
    }

    /// The applicant withdraws before a decision.
    pub fn withdraw(
        &self,
        app: &mut Application,
        on: Date,
        actor: &str,
        reason: &str,
    ) -> Result<Event, RoundError> {
        self.may_act(
            app,
            "withdraw",
            !app.state.is_final(),
            "an application can be withdrawn only before the board decides",
        )?;
        forward(app, "withdraw", on)?;
        let ev = Event::new(on, actor, "withdraw", &app.id, Some(reason.to_string()));
        app.state = State::Withdrawn;
        app.history.push(ev.clone());
        Ok(ev)
    }
}

fn forward(app: &Application, action: &'static str, on: Date) -> Result<(), RoundError> {
    if let Some(prev) = app.history.last().map(|e| e.at) {
        if on < prev {
            return Err(RoundError::Backdated {
                application: app.id.clone(),
                action,
                on,
                previous: prev,
            });
        }
    }
    Ok(())
}
