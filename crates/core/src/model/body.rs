//! Bodies: the legal persons that make, receive and hold powers.

use crate::model::diagnostic::Span;
use crate::model::interval::Interval;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BodyId(pub u32);

/// What a body is. The kebab-case names are the stable JSON and language spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum BodyKind {
    Parliament,
    SecretaryOfState,
    NhsEngland,
    NhsEnglandRegion,
    Ccg,
    Icb,
    SubIcbLocation,
    CommissioningHub,
    ReportingEntity,
    LocalAuthority,
    CombinedAuthority,
    NhsTrust,
    FoundationTrust,
    IntegratedProvider,
    Csu,
    JointCommittee,
    Other,
}

impl BodyKind {
    pub const ALL: [BodyKind; 17] = [
        BodyKind::Parliament,
        BodyKind::SecretaryOfState,
        BodyKind::NhsEngland,
        BodyKind::NhsEnglandRegion,
        BodyKind::Ccg,
        BodyKind::Icb,
        BodyKind::SubIcbLocation,
        BodyKind::CommissioningHub,
        BodyKind::ReportingEntity,
        BodyKind::LocalAuthority,
        BodyKind::CombinedAuthority,
        BodyKind::NhsTrust,
        BodyKind::FoundationTrust,
        BodyKind::IntegratedProvider,
        BodyKind::Csu,
        BodyKind::JointCommittee,
        BodyKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::Parliament => "parliament",
            BodyKind::SecretaryOfState => "secretary-of-state",
            BodyKind::NhsEngland => "nhs-england",
            BodyKind::NhsEnglandRegion => "nhs-england-region",
            BodyKind::Ccg => "ccg",
            BodyKind::Icb => "icb",
            BodyKind::SubIcbLocation => "sub-icb-location",
            BodyKind::CommissioningHub => "commissioning-hub",
            BodyKind::ReportingEntity => "reporting-entity",
            BodyKind::LocalAuthority => "local-authority",
            BodyKind::CombinedAuthority => "combined-authority",
            BodyKind::NhsTrust => "nhs-trust",
            BodyKind::FoundationTrust => "foundation-trust",
            BodyKind::IntegratedProvider => "integrated-provider",
            BodyKind::Csu => "csu",
            BodyKind::JointCommittee => "joint-committee",
            BodyKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<BodyKind> {
        BodyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// NHS bodies in the sense of s.275 and s.75 of the NHS Act 2006 (for partnership checks).
    pub fn is_nhs_body(self) -> bool {
        matches!(
            self,
            BodyKind::NhsEngland
                | BodyKind::Ccg
                | BodyKind::Icb
                | BodyKind::NhsTrust
                | BodyKind::FoundationTrust
        )
    }
}

impl std::fmt::Display for BodyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A body during one legal life. The same ODS code can name two bodies at
/// different times (CCG `02Q` until 2022-06-30, sub-ICB location `02Q` after),
/// but never two at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body {
    pub code: String,
    pub name: String,
    pub kind: BodyKind,
    pub life: Interval,
    /// The statute or order that establishes it, in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ons_code: Option<String>,
    #[serde(skip)]
    pub span: Option<Span>,
}
