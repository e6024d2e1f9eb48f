//! The names an answer repeats (body codes and names, function ids), made once per snapshot
//! as shared strings so that rendering an answer copies no text. Codes and most ids fit
//! inline in a [`SmolStr`]; longer names share one allocation with the snapshot.

use crate::model::body::BodyId;
use crate::model::function::FunctionId;
use crate::model::register::Register;
use smol_str::SmolStr;

/// Per body its code and name, per function its id, indexed like the register.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    body_codes: Vec<SmolStr>,
    body_names: Vec<SmolStr>,
    functions: Vec<SmolStr>,
}

impl Names {
    pub(crate) fn of(reg: &Register) -> Names {
        Names {
            body_codes: reg.bodies.iter().map(|b| SmolStr::new(&b.code)).collect(),
            body_names: reg.bodies.iter().map(|b| SmolStr::new(&b.name)).collect(),
            functions: reg
                .taxonomy
                .iter()
                .map(|(_, d)| SmolStr::new(&d.id))
                .collect(),
        }
    }

    pub(crate) fn code(&self, b: BodyId) -> SmolStr {
        self.body_codes
            .get(b.0 as usize)
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn name(&self, b: BodyId) -> SmolStr {
        self.body_names
            .get(b.0 as usize)
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn function(&self, f: FunctionId) -> SmolStr {
        self.functions
            .get(f.0 as usize)
            .cloned()
            .unwrap_or_default()
    }
}
