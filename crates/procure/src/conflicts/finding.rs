//! What a conflicts check finds: a finding with its stable code, severity, subject and
//! citation. The codes (`C001`...) are a contract: a new check adds a code, never reuses one.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingSeverity {
    Error,
    Warning,
    /// Something the check could not do (a limit not in the data), said so beside the answer.
    Info,
}

pub const UNDECLARED_INTEREST: &str = "C001";
pub const UNMANAGED_INTEREST: &str = "C002";
pub const QUORUM_LOST: &str = "C003";
pub const GP_OWN_PRACTICE: &str = "C004";
pub const JOINT_APPOINTMENT: &str = "C005";
pub const DECLARED_NOT_REGISTERED: &str = "C006";
pub const GIFT_FROM_COUNTERPARTY: &str = "C007";
pub const GIFT_OUTSIDE_POLICY: &str = "C008";
pub const UNKNOWN_PERSON: &str = "C009";
pub const INTEREST_RECENTLY_ENDED: &str = "C010";
pub const CASH_OR_VOUCHER: &str = "C011";
pub const CUMULATIVE_GIFTS: &str = "C012";
pub const DECLARED_LATE: &str = "C013";
pub const REGISTER_NOT_REVIEWED: &str = "C014";
pub const LIMITS_NOT_KNOWN: &str = "C015";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: FindingSeverity,
    /// The decision, or the register's body for register-only findings.
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
    pub message: String,
    pub citation: String,
}
