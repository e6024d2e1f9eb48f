//! The national layer: Parliament, the Secretary of State, NHS England and its powers,
//! the conferrals on every CCG and every ICB, and the coronavirus direction of 2020 with
//! its amendment.

use super::builder::{body, power, Builder};
use super::*;
use vires_core::{
    AmendChanges, AreaExpr, BodyKind, Instrument, InstrumentKind, Interval, Receivers,
};

impl Builder {
    pub(super) fn national(&mut self) {
        let far = date(1900, 1, 1);
        self.add_body(body("PARLIAMENT".into(), BodyKind::Parliament, far, None));
        self.add_body(body("DHSC".into(), BodyKind::SecretaryOfState, far, None));
        self.add_body(body(
            "X24".into(),
            BodyKind::NhsEngland,
            date(2012, 10, 1),
            None,
        ));
        let mut fns: Vec<String> = [
            "commissioning",
            F_SECONDARY,
            F_ACUTE,
            F_COMMUNITY,
            F_MENTAL,
            F_URGENT,
            F_PRIMARY,
            F_MEDICAL,
            F_DENTAL,
            F_PHARMACY,
            F_OPTOMETRY,
            F_SPECIALISED,
            F_JUSTICE,
            F_SUPPORT,
            F_BI,
            F_GPIT,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        fns.extend((1..=SPECIALISED_SERVICES).map(specialised));
        for f in &fns {
            self.reg.declare_function(f, f);
        }
        use BodyKind as B;
        use InstrumentKind as K;
        let ccg_era = Interval::new(CCG_START, Some(ICB_START));
        let icb_era = Interval::new(ICB_START, None);
        let always = Interval::new(date(2006, 11, 8), None);
        for p in [
            power(
                "s13Z",
                "s.13Z",
                &[B::NhsEngland],
                &[K::Delegation, K::JointCommittee],
                ccg_era,
            ),
            power(
                "s14Z3",
                "s.14Z3",
                &[B::Ccg],
                &[K::JointCommittee],
                Interval::new(date(2014, 10, 1), Some(ICB_START)),
            ),
            power(
                "s14Z21",
                "s.14Z21",
                &[B::NhsEngland],
                &[K::Direction],
                ccg_era,
            ),
            power("s14G", "s.14G", &[B::NhsEngland], &[K::Merge], ccg_era),
            power(
                "s65Z5",
                "s.65Z5",
                &[B::NhsEngland, B::Icb],
                &[K::Delegation, K::JointCommittee],
                icb_era,
            ),
            power(
                "s75",
                "s.75",
                &[B::Ccg, B::Icb, B::LocalAuthority],
                &[K::Partnership],
                always,
            ),
            power(
                "s253",
                "s.253",
                &[B::SecretaryOfState],
                &[K::Direction],
                always,
            ),
        ] {
            self.reg.add_power(p);
        }
        let mut ccg = Instrument::new("conferral-ccg", K::Conferral, CCG_START);
        ccg.title = "Health and Social Care Act 2012: CCG functions".into();
        ccg.maker = Some("PARLIAMENT".into());
        ccg.terms_mut().receivers = Receivers::Every(B::Ccg);
        ccg.functions = vec![F_SECONDARY.into(), F_SUPPORT.into()].into();
        ccg.area = Some(AreaExpr::Own);
        ccg.until = Some(ICB_START);
        self.push(ccg);
        let mut icb = Instrument::new("conferral-icb", K::Conferral, ICB_START);
        icb.title = "Health and Care Act 2022: ICB functions".into();
        icb.maker = Some("PARLIAMENT".into());
        icb.terms_mut().receivers = Receivers::Every(B::Icb);
        icb.functions = vec![F_SECONDARY.into(), F_SUPPORT.into()].into();
        icb.area = Some(AreaExpr::Own);
        self.push(icb);
        let mut nhse = Instrument::new("conferral-nhse", K::Conferral, CCG_START);
        nhse.title = "Health and Social Care Act 2012: NHS England direct commissioning".into();
        nhse.maker = Some("PARLIAMENT".into());
        nhse.terms_mut().receivers = Receivers::Bodies(vec!["X24".into()]);
        nhse.functions = vec![F_PRIMARY.into(), F_SPECIALISED.into(), F_JUSTICE.into()].into();
        nhse.area = Some(AreaExpr::England);
        self.push(nhse);
        let mut covid = Instrument::new("covid-direction", K::Direction, date(2020, 3, 20));
        covid.title = "Coronavirus Directions 2020".into();
        covid.terms_mut().basis = Some("NHS Act 2006 s.253".into());
        covid.maker = Some("DHSC".into());
        covid.particulars_mut().of = Some(Box::new(Receivers::Every(B::Ccg)));
        covid.terms_mut().receivers = Receivers::Bodies(vec!["X24".into()]);
        covid.functions = vec![F_SECONDARY.into()].into();
        covid.area = Some(AreaExpr::Own);
        covid.terms_mut().purposes = COVID_PURPOSES.iter().map(|s| s.to_string()).collect();
        covid.concurrent = true;
        covid.until = Some(date(2021, 1, 1));
        self.push(covid);
        let mut ext = Instrument::new("covid-direction-extension", K::Amend, date(2020, 12, 21));
        ext.title = "Coronavirus Directions 2020: extension".into();
        ext.maker = Some("DHSC".into());
        ext.particulars_mut().target = Some("covid-direction".into());
        ext.particulars_mut().changes = Some(Box::new(AmendChanges {
            until: Some(date(2021, 4, 1)),
            ..AmendChanges::default()
        }));
        self.push(ext);
        let mut icb_pc = Instrument::new("icb-primary-medical", K::Delegation, ICB_START);
        icb_pc.title = "Delegation of primary medical services to every ICB".into();
        icb_pc.terms_mut().basis = Some("NHS Act 2006 s.65Z5".into());
        icb_pc.maker = Some("X24".into());
        icb_pc.terms_mut().receivers = Receivers::Every(B::Icb);
        icb_pc.functions = vec![F_MEDICAL.into()].into();
        icb_pc.area = Some(AreaExpr::Own);
        self.push(icb_pc);
    }
}
