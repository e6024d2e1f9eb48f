//! Periodic assessments of commissioners (seed situation 5: NHS England "publishes CCG
//! performance"). Each rating comes from a framework that was in force on a date and
//! allows only its own scale: the CCG Improvement and Assessment Framework (2016/17 to the
//! abolition of CCGs) rated outstanding / good / requires improvement / inadequate; the NHS
//! Oversight Framework places ICBs and trusts (and, in 2021/22, CCGs) in segments 1 to 4
//! from 2021/22 and 1 to 5 from 2025/26.

use jiff::civil::{date, Date};
use serde::{Deserialize, Serialize};
use vires_core::{BodyKind, Register};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    /// CCG Improvement and Assessment Framework.
    CcgIaf,
    /// NHS (System) Oversight Framework.
    NhsOversightFramework,
}

impl Framework {
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::CcgIaf => "ccg-iaf",
            Framework::NhsOversightFramework => "nhs-oversight-framework",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Framework::CcgIaf => "CCG Improvement and Assessment Framework",
            Framework::NhsOversightFramework => "NHS Oversight Framework",
        }
    }

    /// The days the framework applied: `[from, until)`.
    pub fn in_force(self) -> (Date, Option<Date>) {
        match self {
            // The first annual assessment covered 2016/17; CCGs were abolished on 2022-07-01.
            Framework::CcgIaf => (date(2016, 4, 1), Some(date(2022, 7, 1))),
            // The NHS System Oversight Framework 2021/22 introduced segments 1 to 4.
            Framework::NhsOversightFramework => (date(2021, 4, 1), None),
        }
    }

    /// The highest segment on `on`: 4 until 2025/26, then 5.
    pub fn segments_on(self, on: Date) -> u8 {
        if on >= date(2025, 4, 1) {
            5
        } else {
            4
        }
    }

    pub fn assesses(self, kind: BodyKind, on: Date) -> bool {
        match self {
            Framework::CcgIaf => kind == BodyKind::Ccg,
            Framework::NhsOversightFramework => match kind {
                BodyKind::Icb | BodyKind::NhsTrust | BodyKind::FoundationTrust => true,
                // CCGs were segmented in 2021/22 until they closed.
                BodyKind::Ccg => on < date(2022, 7, 1),
                _ => false,
            },
        }
    }
}

/// A rating on a framework's scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    Outstanding,
    Good,
    RequiresImprovement,
    Inadequate,
    /// An oversight segment: 1 needs least support, the highest needs most.
    Segment(u8),
}

impl std::fmt::Display for Rating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rating::Outstanding => f.write_str("outstanding"),
            Rating::Good => f.write_str("good"),
            Rating::RequiresImprovement => f.write_str("requires improvement"),
            Rating::Inadequate => f.write_str("inadequate"),
            Rating::Segment(n) => write!(f, "segment {n}"),
        }
    }
}

/// One published assessment of one body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// The body assessed, by code.
    pub body: String,
    pub framework: Framework,
    pub rating: Rating,
    /// The date the assessment was made or published.
    pub date: Date,
    /// The period assessed ("2016/17"), when the publication names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessmentError {
    #[error("{body}: the {framework} was not in force on {on} (it applied {from} to {until}); rule: a rating comes from a framework in force on its date")]
    FrameworkNotInForce {
        body: String,
        framework: &'static str,
        on: Date,
        from: Date,
        until: String,
    },
    #[error("{body}: `{rating}` is not on the {framework} scale on {on} ({scale}); rule: a rating must be on its framework's scale for its date")]
    NotOnScale {
        body: String,
        framework: &'static str,
        rating: String,
        on: Date,
        scale: String,
    },
    #[error(
        "no body with code {body} existed on {on}; rule: only a body that exists can be assessed"
    )]
    UnknownBody { body: String, on: Date },
    #[error("{body} is a {kind}; the {framework} does not assess that kind of body on {on}")]
    WrongKind {
        body: String,
        kind: BodyKind,
        framework: &'static str,
        on: Date,
    },
    #[error("assessments file: {0}")]
    Json(String),
}

impl Assessment {
    /// Checks the rating against its framework and date, and (with a register) that the
    /// body existed then and is a kind the framework assesses.
    pub fn validate(&self, register: Option<&Register>) -> Result<(), AssessmentError> {
        let fw = self.framework;
        let (from, until) = fw.in_force();
        if self.date < from || until.is_some_and(|u| self.date >= u) {
            return Err(AssessmentError::FrameworkNotInForce {
                body: self.body.clone(),
                framework: fw.title(),
                on: self.date,
                from,
                until: until.map(|u| u.to_string()).unwrap_or_else(|| "now".into()),
            });
        }
        let scale = match fw {
            Framework::CcgIaf => "outstanding, good, requires improvement, inadequate".to_string(),
            Framework::NhsOversightFramework => {
                format!("segments 1 to {}", fw.segments_on(self.date))
            }
        };
        let on_scale = match (fw, self.rating) {
            (Framework::CcgIaf, Rating::Segment(_)) => false,
            (Framework::CcgIaf, _) => true,
            (Framework::NhsOversightFramework, Rating::Segment(n)) => {
                (1..=fw.segments_on(self.date)).contains(&n)
            }
            (Framework::NhsOversightFramework, _) => false,
        };
        if !on_scale {
            return Err(AssessmentError::NotOnScale {
                body: self.body.clone(),
                framework: fw.title(),
                rating: self.rating.to_string(),
                on: self.date,
                scale,
            });
        }
        if let Some(reg) = register {
            let b =
                reg.body_at(&self.body, self.date)
                    .ok_or_else(|| AssessmentError::UnknownBody {
                        body: self.body.clone(),
                        on: self.date,
                    })?;
            let kind = reg.body(b).kind;
            if !fw.assesses(kind, self.date) {
                return Err(AssessmentError::WrongKind {
                    body: self.body.clone(),
                    kind,
                    framework: fw.title(),
                    on: self.date,
                });
            }
        }
        Ok(())
    }
}

/// Reads a JSON array of assessments and validates each one; the first invalid one is the
/// error.
pub fn load_json(
    text: &str,
    register: Option<&Register>,
) -> Result<Vec<Assessment>, AssessmentError> {
    let list: Vec<Assessment> =
        serde_json::from_str(text).map_err(|e| AssessmentError::Json(e.to_string()))?;
    for a in &list {
        a.validate(register)?;
    }
    Ok(list)
}
