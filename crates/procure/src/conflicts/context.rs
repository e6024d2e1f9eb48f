//! What every check needs: the parties resolver, the deciding body's kind on the date and
//! the policy in force for it, and the citations that follow from them.

use super::policy::{policy_for, procurement_citation, Policy, PolicyUse};
use crate::parties::Parties;
use crate::ProcureError;
use jiff::civil::Date;

/// What every check needs: the parties resolver, the deciding body's kind and the policy.
pub(crate) struct Ctx<'a> {
    pub(crate) parties: Parties<'a>,
    register: Option<&'a vires_core::Register>,
    pub(crate) kind: Option<&'static str>,
    pub(crate) policy: Option<&'static Policy>,
    on: Date,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        register: Option<&'a vires_core::Register>,
        body: &str,
        on: Date,
    ) -> Result<Ctx<'a>, ProcureError> {
        let kind = register.and_then(|r| r.body_near(body, on).map(|id| r.body(id).kind.as_str()));
        let policy = match kind {
            Some(k) => policy_for(k, on)?,
            None => None,
        };
        Ok(Ctx {
            parties: match register {
                Some(r) => Parties::new(r),
                None => Parties::text_only(),
            },
            register,
            kind,
            policy,
            on,
        })
    }

    pub(crate) fn kind_on(&self, body: &str, on: Date) -> Option<&'static str> {
        self.register
            .and_then(|r| r.body_near(body, on).map(|id| r.body(id).kind.as_str()))
    }

    pub(crate) fn guidance_citation(&self) -> String {
        match self.policy {
            Some(p) => p.citation(),
            None => format!(
                "no conflicts guidance in the data for {} on {} (to confirm)",
                self.kind
                    .map_or("this body".to_string(), |k| format!("a body of kind {k}")),
                self.on
            ),
        }
    }

    /// The statute and the procurement rules on conflicts in force on the date.
    pub(crate) fn legal_citation(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.policy {
            parts.push(p.statute.clone());
        }
        if let Some(c) = procurement_citation(self.on) {
            parts.push(c);
        }
        if parts.is_empty() {
            self.guidance_citation()
        } else {
            parts.join("; ")
        }
    }

    pub(crate) fn policy_use(&self, body: &str) -> PolicyUse {
        PolicyUse {
            body: body.to_string(),
            kind: self.kind.map(str::to_string),
            on: self.on,
            policy: self.policy.cloned(),
            procurement_citation: procurement_citation(self.on),
        }
    }
}
