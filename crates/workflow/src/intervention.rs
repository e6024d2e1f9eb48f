//! Interventions in a struggling commissioner (seed situation 5) and devolution
//! arrangements, built from the same instruments as everything else:
//!
//! - a direction under the intervention power (s.14Z21 for CCGs, s.14Z61 for ICBs from
//!   2022-07-01) that moves no function (new leadership, a recovery plan);
//! - the commissioner's functions exercised by another CCG, in its place, under a
//!   direction: the answers change on the effective date and change back when it ends;
//! - a s.75 partnership in which a local authority leads, or a direction to an integrated
//!   provider. The 2015 article names providers as an option, but the intervention power
//!   lets functions go only to CCGs or NHS England: the builder issues the instrument the
//!   option implies and [`check`] reports that it rests on no power, which is the point;
//! - devolution (Greater Manchester from 2016-04-01): a joint committee of NHS England and
//!   a combined authority under s.13ZB.

use crate::Event;
use jiff::civil::{date, Date};
use serde::{Deserialize, Serialize};
use vires_core::{
    AreaExpr, Diagnostic, Instrument, InstrumentKind, Onward, Receivers, Register, SmolStr,
};

/// Where the struggling commissioner's functions go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "option", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Remedy {
    /// Directions to the commissioner itself; its functions stay with it.
    Direction,
    /// Another CCG (or ICB) exercises the functions in its place.
    AnotherCommissioner { to: String },
    /// A local authority leads under a s.75 partnership, possibly with a pooled budget.
    Partnership {
        local_authority: String,
        #[serde(default)]
        pooled_budget: Option<String>,
    },
    /// An integrated provider exercises the functions.
    IntegratedProvider { provider: String },
}

/// An intervention, as NHS England decides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    pub id: String,
    pub title: String,
    /// NHS England, by code (`X24`).
    #[serde(default = "nhs_england")]
    pub maker: String,
    /// The struggling commissioner, by code.
    pub target: String,
    pub remedy: Remedy,
    /// The functions moved (ignored for a plain direction).
    #[serde(default)]
    pub functions: Vec<String>,
    pub from: Date,
    /// First day the intervention no longer applies; `None` until revoked.
    #[serde(default)]
    pub until: Option<Date>,
    /// When it must be reviewed.
    pub review: Date,
    pub source: String,
}

fn nhs_england() -> String {
    "X24".into()
}

/// A devolution arrangement: NHS England and a combined authority decide together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Devolution {
    pub id: String,
    pub title: String,
    #[serde(default = "nhs_england")]
    pub maker: String,
    /// The combined (or local) authority, by code.
    pub authority: String,
    pub functions: Vec<String>,
    /// The devolved area: a named area of the register or a union of footprints.
    pub area: AreaExpr,
    pub from: Date,
    #[serde(default)]
    pub until: Option<Date>,
    #[serde(default)]
    pub review: Option<Date>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InterventionError {
    #[error("intervention {id}: review date {review} is not after the start {from}; rule: an intervention is reviewed after it starts")]
    ReviewBeforeStart {
        id: String,
        review: Date,
        from: Date,
    },
    #[error("intervention {id}: it ends on {until}, not after it starts on {from}; rule: dates run forward")]
    EndsBeforeStart { id: String, until: Date, from: Date },
    #[error(
        "intervention {id}: moving functions needs at least one function; list them in `functions`"
    )]
    NoFunctions { id: String },
    #[error("intervention {id}: {to} cannot take the functions of {target}, it is the same body")]
    SameBody {
        id: String,
        target: String,
        to: String,
    },
    #[error("interventions file: {0}")]
    Json(String),
}

/// The instruments an intervention issues, and the event to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issued {
    pub instruments: Vec<Instrument>,
    pub event: Event,
}

impl Intervention {
    /// The intervention power for a date: s.14Z21 for CCGs, s.14Z61 for ICBs from the 2022 Act.
    fn basis(&self) -> &'static str {
        if self.from >= date(2022, 7, 1) {
            "NHS Act 2006 s.14Z61"
        } else {
            "NHS Act 2006 s.14Z21"
        }
    }

    /// Builds the instruments for the chosen remedy. Checks only what needs no register;
    /// [`check`] compiles them on top of a register.
    pub fn build(&self, actor: &str) -> Result<Issued, InterventionError> {
        if self.review <= self.from {
            return Err(InterventionError::ReviewBeforeStart {
                id: self.id.clone(),
                review: self.review,
                from: self.from,
            });
        }
        if let Some(u) = self.until.filter(|u| *u <= self.from) {
            return Err(InterventionError::EndsBeforeStart {
                id: self.id.clone(),
                until: u,
                from: self.from,
            });
        }
        if self.remedy != Remedy::Direction && self.functions.is_empty() {
            return Err(InterventionError::NoFunctions {
                id: self.id.clone(),
            });
        }
        let mut i = match &self.remedy {
            Remedy::Direction => {
                let mut i = Instrument::new(&self.id, InstrumentKind::Direction, self.from);
                i.terms_mut().basis = Some(self.basis().into());
                i.maker = Some(self.maker.as_str().into());
                i.terms_mut().receivers = Receivers::Bodies(vec![self.target.clone()]);
                i
            }
            Remedy::AnotherCommissioner { to } | Remedy::IntegratedProvider { provider: to } => {
                if *to == self.target {
                    return Err(InterventionError::SameBody {
                        id: self.id.clone(),
                        target: self.target.clone(),
                        to: to.clone(),
                    });
                }
                let mut i = Instrument::new(&self.id, InstrumentKind::Direction, self.from);
                i.terms_mut().basis = Some(self.basis().into());
                i.maker = Some(self.maker.as_str().into());
                i.particulars_mut().of =
                    Some(Box::new(Receivers::Bodies(vec![self.target.clone()])));
                i.terms_mut().receivers = Receivers::Bodies(vec![to.clone()]);
                i.functions = self.functions.iter().map(SmolStr::new).collect();
                i.area = Some(AreaExpr::Footprint(self.target.as_str().into()));
                i
            }
            Remedy::Partnership {
                local_authority,
                pooled_budget,
            } => {
                // A s.75 arrangement is the commissioner's own act, made at NHS England's
                // direction: the maker is the commissioner and the authority leads.
                let mut i = Instrument::new(&self.id, InstrumentKind::Partnership, self.from);
                i.terms_mut().basis = Some(
                    "NHS Act 2006 s.75; NHS Bodies and Local Authorities Partnership Arrangements Regulations 2000"
                        .into(),
                );
                i.maker = Some(self.target.as_str().into());
                i.terms_mut().receivers = Receivers::Bodies(vec![local_authority.clone()]);
                i.particulars_mut().lead = Some(local_authority.clone());
                i.particulars_mut().pooled_budget.clone_from(pooled_budget);
                i.functions = self.functions.iter().map(SmolStr::new).collect();
                i.area = Some(AreaExpr::Footprint(self.target.as_str().into()));
                i
            }
        };
        i.title = self.title.as_str().into();
        i.until = self.until;
        i.particulars_mut().review = Some(self.review);
        i.onward = Onward::Forbidden;
        i.terms_mut().source = Some(self.source.clone());
        let what = match &self.remedy {
            Remedy::Direction => format!("directions to {}", self.target),
            Remedy::AnotherCommissioner { to } => format!("{}'s functions to {to}", self.target),
            Remedy::Partnership {
                local_authority, ..
            } => {
                format!(
                    "{}'s functions to {local_authority} under a s.75 partnership",
                    self.target
                )
            }
            Remedy::IntegratedProvider { provider } => {
                format!(
                    "{}'s functions to the integrated provider {provider}",
                    self.target
                )
            }
        };
        let event = Event::new(
            self.from,
            actor,
            "intervene",
            &self.id,
            Some(format!("{what}; review {}", self.review)),
        );
        Ok(Issued {
            instruments: vec![i],
            event,
        })
    }
}

impl Devolution {
    pub fn build(&self, actor: &str) -> Issued {
        let mut i = Instrument::new(&self.id, InstrumentKind::JointCommittee, self.from);
        i.title = self.title.as_str().into();
        i.terms_mut().basis = Some("NHS Act 2006 s.13ZB".into());
        i.maker = Some(self.maker.as_str().into());
        i.terms_mut().receivers =
            Receivers::Bodies(vec![self.maker.clone(), self.authority.clone()]);
        i.functions = self.functions.iter().map(SmolStr::new).collect();
        i.area = Some(self.area.clone());
        i.until = self.until;
        i.particulars_mut().review = self.review;
        i.terms_mut().source = Some(self.source.clone());
        let event = Event::new(
            self.from,
            actor,
            "devolve",
            &self.id,
            Some(format!(
                "{} and {} decide together on {}",
                self.maker,
                self.authority,
                self.functions.join(", ")
            )),
        );
        Issued {
            instruments: vec![i],
            event,
        }
    }
}

/// Diagnostics the issued instruments get on top of `register` (errors make them void).
pub fn check(register: &Register, issued: &Issued) -> Vec<Diagnostic> {
    vires_core::Trial::of_instruments(register, &issued.instruments).findings
}

/// An interventions file: interventions and devolution arrangements.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterventionFile {
    #[serde(default)]
    pub interventions: Vec<Intervention>,
    #[serde(default)]
    pub devolution: Vec<Devolution>,
}

pub fn load_json(text: &str) -> Result<InterventionFile, InterventionError> {
    serde_json::from_str(text).map_err(|e| InterventionError::Json(e.to_string()))
}

impl InterventionFile {
    /// Builds everything in the file, interventions first.
    pub fn build(&self, actor: &str) -> Result<Vec<Issued>, InterventionError> {
        let mut out = Vec::new();
        for i in &self.interventions {
            out.push(i.build(actor)?);
        }
        out.extend(self.devolution.iter().map(|d| d.build(actor)));
        Ok(out)
    }
}
