//! Lowering: document trees to a core [`Register`].
//!
//! Lowering only translates; it judges nothing the core can judge with the whole register
//! in view. It reports what cannot be translated at all (a body kind that does not exist, a
//! body whose life overlaps another with the same code, a membership in a body that does
//! not exist, a missing required field) and fills [`FieldSpans`] so that the core's
//! diagnostics point at the words that caused them.

use crate::ast::*;
use crate::error::Error;
use crate::parser::did_you_mean;
use jiff::civil::Date;
use rustc_hash::FxHashMap;
use vires_core::function::FunctionDef;
use vires_core::instrument::FieldSpans;
use vires_core::register::NamedArea;
use vires_core::SmolStr;
use vires_core::{
    AmendChanges, AreaExpr, Body, BodyKind, Instrument, InstrumentKind, Interval, Onward, Power,
    Practice, Receivers as CoreReceivers, Register, Requirement, Succession,
};

/// Lowers documents (each carrying its file index) into one register. Declarations in any
/// document are visible to every other, so the order of files does not matter.
pub fn lower(docs: &[Document]) -> (Register, Vec<Error>) {
    let mut l = Lowerer {
        reg: Register::new(),
        errors: Vec::new(),
        file: 0,
    };
    let records = |kinds: &'static [RecordKind]| {
        docs.iter().flat_map(move |d| {
            d.items.iter().filter_map(move |i| match i {
                Item::Record(r) if kinds.contains(&r.kind) => Some((d.file, r)),
                _ => None,
            })
        })
    };
    let mut seen_functions: FxHashMap<String, ()> = FxHashMap::default();
    for (file, r) in records(&[RecordKind::Function]) {
        l.file = file;
        l.function(r, &mut seen_functions);
    }
    for (file, r) in records(&[RecordKind::Power]) {
        l.file = file;
        l.power(r);
    }
    let mut bodies = Vec::new();
    for (file, r) in records(&[RecordKind::Body]) {
        l.file = file;
        if let Some(id) = l.body(r) {
            bodies.push((file, r, id));
        }
    }
    for (file, r, id) in bodies {
        l.file = file;
        l.body_parents(r, id);
    }
    for (file, r) in records(&[RecordKind::Practice]) {
        l.file = file;
        l.practice(r);
    }
    for (file, r) in records(&[RecordKind::Area]) {
        l.file = file;
        l.area(r);
    }
    for (file, r) in records(&[RecordKind::Succession]) {
        l.file = file;
        l.succession(r);
    }
    for d in docs {
        l.file = d.file;
        for item in &d.items {
            if let Item::Record(r) = item {
                if let Some(kind) = r.kind.instrument_kind() {
                    l.instrument(r, kind);
                }
            }
        }
    }
    let mut errors = l.errors;
    errors.sort_by_key(|e| e.span.map(|s| (s.file, s.start, s.end)));
    (l.reg, errors)
}

/// A readable id from a title: lower case, other characters turned into single `-`.
pub fn slug(title: &str) -> String {
    let mut s = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    while s.ends_with('-') {
        s.pop();
    }
    if s.is_empty() {
        s.push_str("untitled");
    }
    s
}

struct Lowerer {
    reg: Register,
    errors: Vec<Error>,
    file: u32,
}

fn text(f: Option<&Field>) -> Option<String> {
    match &f?.value {
        Value::Str(s) => Some(s.value.clone()),
        Value::Word(w) | Value::Date(w) => Some(w.text.clone()),
        _ => None,
    }
}

fn strs(f: Option<&Field>) -> Vec<String> {
    match f.map(|f| &f.value) {
        Some(Value::Strs(v)) => v.iter().map(|s| s.value.clone()).collect(),
        Some(Value::Str(s)) => vec![s.value.clone()],
        _ => Vec::new(),
    }
}

fn words(f: Option<&Field>) -> Vec<&Word> {
    match f.map(|f| &f.value) {
        Some(Value::Words(v)) => v.iter().collect(),
        Some(Value::Word(w)) => vec![w],
        _ => Vec::new(),
    }
}

fn flag(f: Option<&Field>) -> bool {
    match f.map(|f| &f.value) {
        Some(Value::Flag(w)) => w.as_ref().is_none_or(|w| w.text != "no"),
        _ => false,
    }
}

fn record_label(r: &Record) -> String {
    match &r.name {
        Name::Word(w) => format!("{} {}", r.kind, w.text),
        Name::Title(s) => format!("{} \"{}\"", r.kind, s.value),
    }
}

impl Lowerer {
    fn err(
        &mut self,
        code: &'static str,
        span: ByteSpan,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.errors
            .push(Error::new(code, msg, help, Some(span.in_file(self.file))));
    }

    fn missing(&mut self, r: &Record, key: Key, help: &str) {
        self.err(
            "L106",
            r.kind_span.to(r.name.span()),
            format!("{} has no `{key}`", record_label(r)),
            help,
        );
    }

    fn date(&mut self, w: &Word) -> Option<Date> {
        match crate::parser::is_date(&w.text)
            .then(|| w.text.parse::<Date>().ok())
            .flatten()
        {
            Some(d) => Some(d),
            None => {
                self.err(
                    "L107",
                    w.span,
                    format!("`{}` is not a date", w.text),
                    "write a real calendar date as YYYY-MM-DD",
                );
                None
            }
        }
    }

    fn date_field(&mut self, r: &Record, key: Key) -> Result<Option<Date>, ()> {
        match r.field(key).map(|f| &f.value) {
            Some(Value::Date(w)) => self.date(w).map(Some).ok_or(()),
            _ => Ok(None),
        }
    }

    fn body_kind(&mut self, w: &Word) -> Option<BodyKind> {
        let k = BodyKind::parse(&w.text);
        if k.is_none() {
            let all = BodyKind::ALL.iter().map(|k| k.as_str());
            let help = did_you_mean(&w.text, all, "body kinds are");
            self.err(
                "L101",
                w.span,
                format!("`{}` is not a kind of body", w.text),
                help,
            );
        }
        k
    }

    fn name_word<'r>(&self, r: &'r Record) -> &'r str {
        match &r.name {
            Name::Word(w) => &w.text,
            Name::Title(s) => &s.value,
        }
    }

    fn function(&mut self, r: &Record, seen: &mut FxHashMap<String, ()>) {
        let id = self.name_word(r).to_string();
        if seen.insert(id.clone(), ()).is_some() {
            self.err(
                "L108",
                r.name.span(),
                format!("function `{id}` is declared twice"),
                "keep one declaration",
            );
            return;
        }
        let Some(name) = text(r.field(Key::Name)) else {
            self.missing(r, Key::Name, "give the function a human name: `name \"…\"`");
            return;
        };
        self.reg.taxonomy.declare(FunctionDef {
            id,
            name,
            note: text(r.field(Key::Note)),
        });
    }

    fn power(&mut self, r: &Record) {
        let id = self.name_word(r).to_string();
        if self.reg.powers.iter().any(|p| p.id == id) {
            self.err(
                "L108",
                r.name.span(),
                format!("power `{id}` is declared twice"),
                "keep one declaration, or give the second a different id",
            );
            return;
        }
        let mut ok = true;
        let mut makers = Vec::new();
        for w in words(r.field(Key::Makers)) {
            match self.body_kind(w) {
                Some(k) => makers.push(k),
                None => ok = false,
            }
        }
        let mut receivers = Vec::new();
        for w in words(r.field(Key::Receivers)) {
            match self.body_kind(w) {
                Some(k) => receivers.push(k),
                None => ok = false,
            }
        }
        let mut kinds = Vec::new();
        for w in words(r.field(Key::Kinds)) {
            match InstrumentKind::parse(&w.text) {
                Some(k) => kinds.push(k),
                None => {
                    ok = false;
                    let all = InstrumentKind::ALL.iter().map(|k| k.as_str());
                    let help = did_you_mean(&w.text, all, "instrument kinds are");
                    self.err(
                        "L102",
                        w.span,
                        format!("`{}` is not a kind of instrument", w.text),
                        help,
                    );
                }
            }
        }
        let cites = strs(r.field(Key::Cites));
        for (key, missing, help) in [
            (
                Key::Cites,
                cites.is_empty(),
                "say how instruments cite it: `cites \"s.13Z\", \"section 13Z\"`",
            ),
            (
                Key::Makers,
                r.field(Key::Makers).is_none(),
                "say which kinds of body may use it: `makers nhs-england`",
            ),
            (
                Key::Kinds,
                r.field(Key::Kinds).is_none(),
                "say which instruments it supports: `kinds delegation`",
            ),
            (
                Key::Source,
                r.field(Key::Source).is_none(),
                "every power cites its source: `source \"NHS Act 2006 s.13Z\"`",
            ),
            (
                Key::From,
                r.field(Key::From).is_none(),
                "say when it came into force: `from 2013-04-01`",
            ),
        ] {
            if missing {
                self.missing(r, key, help);
                ok = false;
            }
        }
        let (Ok(from), Ok(until)) = (
            self.date_field(r, Key::From),
            self.date_field(r, Key::Until),
        ) else {
            return;
        };
        let (Some(from), true) = (from, ok) else {
            return;
        };
        self.reg.add_power(Power {
            title: text(r.field(Key::Title)).unwrap_or_else(|| id.clone()),
            id,
            cites,
            makers,
            kinds,
            receivers,
            during: Interval::new(from, until),
            source: text(r.field(Key::Source)).unwrap_or_default(),
        });
    }

    fn body(&mut self, r: &Record) -> Option<vires_core::BodyId> {
        let code = self.name_word(r).to_string();
        let kind = match r.field(Key::Kind).map(|f| &f.value) {
            Some(Value::Word(w)) => self.body_kind(w),
            _ => {
                self.missing(
                    r,
                    Key::Kind,
                    "say what the body is: `kind ccg` (or icb, nhs-trust, …)",
                );
                None
            }
        };
        let name = text(r.field(Key::Name));
        if name.is_none() {
            self.missing(
                r,
                Key::Name,
                "give the body's name during this life: `name \"…\"`",
            );
        }
        if r.field(Key::From).is_none() {
            self.missing(
                r,
                Key::From,
                "say when the body was established: `from 2013-04-01`",
            );
        }
        let from = self.date_field(r, Key::From).ok()??;
        let until = self.date_field(r, Key::Until).ok()?;
        let body = Body {
            code: code.clone(),
            name: name?,
            kind: kind?,
            life: Interval::new(from, until),
            basis: text(r.field(Key::Basis)),
            source: text(r.field(Key::Source)),
            ons_code: text(r.field(Key::Ons)),
            span: Some(r.span.in_file(self.file)),
        };
        match self.reg.add_body(body) {
            Ok(id) => Some(id),
            Err(e) => {
                self.err(
                    "L103",
                    r.name.span(),
                    format!("body {code} overlaps another body with the same code: {e}"),
                    "a code may name two bodies only at different times: check the `from` and `until` of both",
                );
                None
            }
        }
    }

    /// Resolves `in CODE from … until …` to a body and a period; `life` fills missing dates.
    fn membership(
        &mut self,
        m: &Membership,
        life: Option<Interval>,
    ) -> Option<(vires_core::BodyId, Interval)> {
        let from = match &m.from {
            Some(w) => Some(self.date(w)?),
            None => None,
        };
        let until = match &m.until {
            Some(w) => Some(self.date(w)?),
            None => None,
        };
        let candidates = self.reg.bodies_with_code(&m.body.text);
        let body = match (from, life) {
            (Some(d), _) | (None, Some(Interval { from: d, .. })) => {
                self.reg.body_at(&m.body.text, d)
            }
            (None, None) => candidates.first().copied(),
        }
        .or_else(|| {
            (from.is_none() && life.is_none())
                .then(|| candidates.first().copied())
                .flatten()
        });
        let Some(body) = body else {
            let on = from
                .or(life.map(|l| l.from))
                .map(|d| format!(" on {d}"))
                .unwrap_or_default();
            let help = if candidates.is_empty() {
                format!("declare `body {} {{ … }}` or correct the code", m.body.text)
            } else {
                let lives: Vec<String> = candidates
                    .iter()
                    .map(|b| {
                        let l = self.reg.body(*b).life;
                        format!(
                            "{}..{}",
                            l.from,
                            l.until.map_or("open".to_string(), |u| u.to_string())
                        )
                    })
                    .collect();
                format!(
                    "{} exists during {}; give a `from` date inside one of them",
                    m.body.text,
                    lives.join(", ")
                )
            };
            self.err(
                "L104",
                m.body.span,
                format!("no body {} exists{on}", m.body.text),
                help,
            );
            return None;
        };
        let blife = self.reg.body(body).life;
        let from = from
            .or(life.map(|l| l.from))
            .unwrap_or(blife.from)
            .max(blife.from);
        let until = until.or(life.and_then(|l| l.until)).or(blife.until);
        Some((body, Interval::new(from, until)))
    }

    fn body_parents(&mut self, r: &Record, id: vires_core::BodyId) {
        let life = self.reg.body(id).life;
        for f in r.fields_of(Key::In) {
            if let Value::Membership(m) = &f.value {
                if let Some((parent, during)) = self.membership(m, Some(life)) {
                    self.reg.add_parent(id, parent, during);
                }
            }
        }
    }

    fn practice(&mut self, r: &Record) {
        let code = self.name_word(r).to_string();
        let practice = Practice {
            code: code.as_str().into(),
            name: text(r.field(Key::Name))
                .unwrap_or_else(|| code.clone())
                .into(),
            postcode: text(r.field(Key::Postcode)).map(Into::into),
            status: text(r.field(Key::Status)).map(Into::into),
        };
        let id = match self.reg.add_practice(practice) {
            Ok(id) => id,
            Err(_) => {
                self.err(
                    "L105",
                    r.name.span(),
                    format!("practice {code} is declared twice"),
                    "keep one record and list each period with its own `in … from … until …`",
                );
                return;
            }
        };
        for f in r.fields_of(Key::In) {
            if let Value::Membership(m) = &f.value {
                if let Some((body, during)) = self.membership(m, None) {
                    self.reg.add_membership(id, body, during);
                }
            }
        }
    }

    fn area_expr(&mut self, a: &Area) -> AreaExpr {
        let mut terms: Vec<AreaExpr> = a
            .terms
            .iter()
            .map(|t| match t {
                AreaTerm::England { .. } => AreaExpr::England,
                AreaTerm::Own { .. } => AreaExpr::Own,
                AreaTerm::Footprint { code, .. } => AreaExpr::Footprint(code.text.as_str().into()),
                AreaTerm::Practices { codes, .. } => {
                    AreaExpr::Practices(codes.iter().map(|c| c.text.as_str().into()).collect())
                }
                AreaTerm::Named { id } => AreaExpr::Named(id.text.as_str().into()),
            })
            .collect();
        if terms.len() == 1 {
            terms.pop().unwrap_or(AreaExpr::England)
        } else {
            AreaExpr::Union(terms)
        }
    }

    fn area(&mut self, r: &Record) {
        let id = self.name_word(r).to_string();
        if self.reg.area(&id).is_some() {
            self.err(
                "L108",
                r.name.span(),
                format!("area `{id}` is declared twice"),
                "keep one declaration",
            );
            return;
        }
        let Some(Value::Area(a)) = r.field(Key::Is).map(|f| &f.value) else {
            self.missing(
                r,
                Key::Is,
                "say what the area is: `is footprint(00T) + footprint(01D)`",
            );
            return;
        };
        let expr = self.area_expr(a);
        self.reg.add_area(NamedArea {
            name: text(r.field(Key::Name)).unwrap_or_else(|| id.clone()),
            id,
            expr,
            note: text(r.field(Key::Note)),
            approximate: false,
        });
    }

    fn succession(&mut self, r: &Record) {
        let from = self.name_word(r).to_string();
        let Some(to) = text(r.field(Key::To)) else {
            self.missing(r, Key::To, "name the successor: `to 13T`");
            return;
        };
        if r.field(Key::On).is_none() {
            self.missing(r, Key::On, "say when: `on 2015-04-01`");
        }
        if let Ok(Some(on)) = self.date_field(r, Key::On) {
            self.reg.add_succession(Succession { from, to, on });
        }
    }

    fn receivers(&mut self, v: &Value) -> Option<CoreReceivers> {
        match v {
            Value::Receivers(Receivers::Every { kind, .. }) => {
                self.body_kind(kind).map(CoreReceivers::Every)
            }
            Value::Receivers(Receivers::Bodies(ws)) => Some(CoreReceivers::Bodies(
                ws.iter().map(|w| w.text.clone()).collect(),
            )),
            _ => None,
        }
    }

    fn instrument(&mut self, r: &Record, kind: InstrumentKind) {
        let (header_id, header_title) = match &r.name {
            Name::Word(w) => (Some(w.text.clone()), None),
            Name::Title(s) => (None, Some(s.value.clone())),
        };
        let title = text(r.field(Key::Title)).or(header_title);
        let id = text(r.field(Key::Id))
            .or(header_id)
            .unwrap_or_else(|| slug(title.as_deref().unwrap_or_default()));
        let Some(from_field) = r.field(Key::From) else {
            self.missing(r, Key::From, "say when it takes effect: `from 2016-04-01`");
            return;
        };
        let (Ok(Some(from)), Ok(until), Ok(review)) = (
            self.date_field(r, Key::From),
            self.date_field(r, Key::Until),
            self.date_field(r, Key::Review),
        ) else {
            return;
        };
        let mut i = Instrument::new(id.clone(), kind, from);
        i.title = title.unwrap_or_else(|| id.clone()).into();
        i.until = until;
        i.particulars_mut().review = review;
        i.terms_mut().basis = text(r.field(Key::Basis));
        i.maker = text(r.field(Key::By)).map(Into::into);
        i.terms_mut().source = text(r.field(Key::Source));
        i.particulars_mut().lead = text(r.field(Key::Lead));
        i.particulars_mut().pooled_budget = text(r.field(Key::PooledBudget));
        i.particulars_mut().target = text(r.field(Key::Target));
        let list = |k: Key| {
            words(r.field(k))
                .into_iter()
                .map(|w| w.text.clone())
                .collect::<Vec<_>>()
        };
        i.functions = list(Key::Functions)
            .into_iter()
            .map(SmolStr::from)
            .collect();
        i.particulars_mut().except = list(Key::Except);
        i.terms_mut().purposes = list(Key::Purposes);
        i.particulars_mut().predecessors = list(Key::Predecessors);
        i.particulars_mut().retained = strs(r.field(Key::Retained));
        i.concurrent = flag(r.field(Key::Concurrent));
        i.onward = match text(r.field(Key::Onward)).as_deref() {
            Some("permitted") => Onward::Permitted,
            _ => Onward::Forbidden,
        };
        let mut ok = true;
        if let Some(f) = r.field(Key::To) {
            match self.receivers(&f.value) {
                Some(rc) => i.terms_mut().receivers = rc,
                None => ok = false,
            }
        }
        if let Some(f) = r.field(Key::Of) {
            match self.receivers(&f.value) {
                Some(rc) => i.particulars_mut().of = Some(Box::new(rc)),
                None => ok = false,
            }
        }
        let mut receivers_span = r.field(Key::To).map(|f| f.value_span());
        if let Some(Value::Merging(m)) = r.field(Key::Merging).map(|f| &f.value) {
            i.particulars_mut().predecessors =
                m.predecessors.iter().map(|w| w.text.clone()).collect();
            if r.field(Key::To).is_none() {
                i.terms_mut().receivers = CoreReceivers::Bodies(vec![m.into.text.clone()]);
                receivers_span = Some(m.into.span);
            }
        }
        if let Some(Value::Area(a)) = r.field(Key::Area).map(|f| &f.value) {
            i.area = Some(self.area_expr(a));
        }
        let mut changes = AmendChanges::default();
        let mut any_change = false;
        for f in r.fields_of(Key::Set) {
            let Value::Change(c) = &f.value else { continue };
            any_change = true;
            let twice = match &c.what {
                ChangeValue::Until(d) => match self.date(d) {
                    Some(d) => changes.until.replace(d).is_some(),
                    None => {
                        ok = false;
                        false
                    }
                },
                ChangeValue::Purposes(ws) => changes
                    .purposes
                    .replace(ws.iter().map(|w| w.text.clone()).collect())
                    .is_some(),
                ChangeValue::Area(a) => {
                    let e = self.area_expr(a);
                    changes.area.replace(e).is_some()
                }
            };
            if twice {
                self.err(
                    "L110",
                    c.span,
                    "this amendment sets the same thing twice",
                    "keep one `set` line for each of until, purposes and area",
                );
            }
        }
        if any_change {
            i.particulars_mut().changes = Some(Box::new(changes));
        }
        let req_keys = [
            Key::Categories,
            Key::Framework,
            Key::ExceptionEvidence,
            Key::Collective,
            Key::StrandedCosts,
        ];
        let has_req_detail = req_keys.iter().any(|k| r.field(*k).is_some());
        match text(r.field(Key::Requires)) {
            Some(req) => {
                i.particulars_mut().requirement = Some(Box::new(Requirement {
                    text: req,
                    categories: list(Key::Categories),
                    framework: text(r.field(Key::Framework)),
                    exception_evidence: strs(r.field(Key::ExceptionEvidence)),
                    collective: flag(r.field(Key::Collective)),
                    stranded_costs: text(r.field(Key::StrandedCosts)),
                }));
            }
            None if has_req_detail => {
                self.missing(
                    r,
                    Key::Requires,
                    "state the requirement in the mandate's words: `requires \"…\"`",
                );
                if let Some(e) = self.errors.last_mut() {
                    e.code = "L109";
                }
                ok = false;
            }
            None => {}
        }
        let span = |k: Key| r.field(k).map(|f| f.value_span().in_file(self.file));
        i.set_spans(FieldSpans {
            whole: Some(r.span.in_file(self.file)),
            id: Some(
                r.field(Key::Id)
                    .map_or(r.name.span(), |f| f.value_span())
                    .in_file(self.file),
            ),
            basis: span(Key::Basis),
            maker: span(Key::By),
            receivers: receivers_span.map(|s| s.in_file(self.file)),
            of: span(Key::Of),
            functions: span(Key::Functions),
            area: span(Key::Area),
            from: Some(from_field.value_span().in_file(self.file)),
            until: span(Key::Until),
            purposes: span(Key::Purposes),
            target: span(Key::Target),
            onward: span(Key::Onward),
        });
        if ok {
            self.reg.add_instrument(i);
        }
    }
}
