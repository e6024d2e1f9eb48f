//! The JSON form is the one `Instrument` had when every field was its own: same names, same
//! order (the particulars sit among the others where they always were), same omissions. The
//! store's change log hashes these bytes, so `Serialize` writes through a borrowed mirror and
//! `Deserialize` reads an owned one and moves its fields; `#[serde(flatten)]` would reorder
//! them and read through a map.

use super::*;

fn no_receivers(r: &&Receivers) -> bool {
    r.is_empty()
}

fn no_items<T>(v: &&[T]) -> bool {
    v.is_empty()
}

#[derive(Serialize)]
#[serde(rename = "Instrument")]
pub(super) struct Written<'a> {
    id: &'a str,
    title: &'a str,
    kind: InstrumentKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maker: Option<&'a str>,
    #[serde(skip_serializing_if = "no_receivers")]
    receivers: &'a Receivers,
    #[serde(skip_serializing_if = "Option::is_none")]
    of: Option<&'a Receivers>,
    #[serde(skip_serializing_if = "no_items")]
    predecessors: &'a [String],
    #[serde(skip_serializing_if = "no_items")]
    functions: &'a [SmolStr],
    #[serde(skip_serializing_if = "no_items")]
    except: &'a [String],
    #[serde(skip_serializing_if = "no_items")]
    retained: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    area: Option<&'a AreaExpr>,
    from: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<Date>,
    #[serde(skip_serializing_if = "no_items")]
    purposes: &'a [String],
    concurrent: bool,
    onward: Onward,
    #[serde(skip_serializing_if = "Option::is_none")]
    lead: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pooled_budget: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a AmendChanges>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requirement: Option<&'a Requirement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

impl<'a> From<&'a super::Instrument> for Written<'a> {
    fn from(i: &'a super::Instrument) -> Self {
        let (p, t) = (i.particulars(), i.terms());
        Written {
            id: &i.id,
            title: &i.title,
            kind: i.kind,
            basis: t.basis.as_deref(),
            maker: i.maker.as_deref(),
            receivers: &t.receivers,
            of: p.of.as_deref(),
            predecessors: &p.predecessors,
            functions: &i.functions,
            except: &p.except,
            retained: &p.retained,
            area: i.area.as_ref(),
            from: i.from,
            until: i.until,
            purposes: &t.purposes,
            concurrent: i.concurrent,
            onward: i.onward,
            lead: p.lead.as_deref(),
            pooled_budget: p.pooled_budget.as_deref(),
            target: p.target.as_deref(),
            changes: p.changes.as_deref(),
            requirement: p.requirement.as_deref(),
            review: p.review,
            source: t.source.as_deref(),
        }
    }
}

/// Named like the instrument, because serde's messages name the struct it reads
/// ("expected struct Instrument").
#[derive(Deserialize)]
pub(super) struct Instrument {
    id: SmolStr,
    title: Box<str>,
    kind: InstrumentKind,
    #[serde(default)]
    basis: Option<String>,
    #[serde(default)]
    maker: Option<SmolStr>,
    #[serde(default)]
    receivers: Receivers,
    #[serde(default)]
    of: Option<Box<Receivers>>,
    #[serde(default)]
    predecessors: Vec<String>,
    #[serde(default)]
    functions: FunctionList,
    #[serde(default)]
    except: Vec<String>,
    #[serde(default)]
    retained: Vec<String>,
    #[serde(default)]
    area: Option<AreaExpr>,
    from: Date,
    #[serde(default)]
    until: Option<Date>,
    #[serde(default)]
    purposes: Vec<String>,
    #[serde(default)]
    concurrent: bool,
    #[serde(default)]
    onward: Onward,
    #[serde(default)]
    lead: Option<String>,
    #[serde(default)]
    pooled_budget: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    changes: Option<Box<AmendChanges>>,
    #[serde(default)]
    requirement: Option<Box<Requirement>>,
    #[serde(default)]
    review: Option<Date>,
    #[serde(default)]
    source: Option<String>,
}

impl From<Instrument> for super::Instrument {
    fn from(r: Instrument) -> Self {
        super::Instrument {
            id: r.id,
            title: r.title,
            kind: r.kind,
            maker: r.maker,
            functions: r.functions,
            area: r.area,
            from: r.from,
            until: r.until,
            concurrent: r.concurrent,
            onward: r.onward,
            particulars: Particulars::from(ParticularFields {
                of: r.of,
                predecessors: r.predecessors,
                except: r.except,
                retained: r.retained,
                lead: r.lead,
                pooled_budget: r.pooled_budget,
                target: r.target,
                changes: r.changes,
                requirement: r.requirement,
                review: r.review,
            }),
            terms: Terms::from(TermFields {
                receivers: r.receivers,
                purposes: r.purposes,
                basis: r.basis,
                source: r.source,
                spans: Spans::default(),
            }),
        }
    }
}
