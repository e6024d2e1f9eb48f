//! Before the Provider Selection Regime: the NHS procurement regulations of 2013
//! (SI 2013/500) with the Public Contracts Regulations of the day (SI 2006/5 Part B
//! services, or the light touch regime of SI 2015/102).

use super::*;

pub(super) fn nhs_2013(
    b: &mut Builder,
    c: &Contract,
    regimes: &[&Regime],
    rules: &Rules,
    cal: &Calendar,
) -> Result<(), ProcureError> {
    let light_touch = regimes.iter().any(|r| r.id == ids::PCR_2015_LIGHT_TOUCH);
    let part_b = regimes.iter().any(|r| r.id == ids::PCR_2006_PART_B);
    let threshold = if light_touch {
        // One light touch threshold for every class of authority (SI 2015/102 reg 5(1)(d)).
        rules.threshold(ids::PCR_2015_LIGHT_TOUCH, AuthorityClass::All, b.began)
    } else {
        None
    };
    let above = threshold.is_some_and(|t| c.estimated_value >= t.amount_pounds);
    if let Some(t) = threshold {
        b.out.threshold = Some(ThresholdUse::new(t, c.estimated_value));
    }
    b.permit(p::NHS2013_COMPETITIVE, "Competitive tender", "SI 2013/500 regs 2 and 3", "open to the commissioner: it must act with a view to the procurement objective, transparently, proportionately and without discrimination");
    let single_cite = if above {
        "SI 2013/500 reg 5; SI 2015/102 regs 32(2)(b) and 75"
    } else {
        "SI 2013/500 reg 5"
    };
    if c.only_provider_capable {
        b.permit(p::NHS2013_SINGLE, "Award to a single provider without competition", single_cite, "the commissioner is satisfied that the services are capable of being provided only by that provider");
    } else {
        b.refuse(p::NHS2013_SINGLE, "Award to a single provider without competition", single_cite, "only when the services are capable of being provided only by one provider, which is not recorded (only_provider_capable is false)");
    }
    b.step(&[], "Act with a view to securing the needs of patients and improving the quality and efficiency of services (the procurement objective); act transparently, proportionately and treat providers equally", "SI 2013/500 regs 2 and 3");
    b.step(&[], "Do not award a contract where conflicts of interest affect or appear to affect the integrity of the award; record how any conflict was managed", "SI 2013/500 reg 6");
    b.step(
        &[],
        "Keep and publish a record of the contract awarded",
        "SI 2013/500 reg 9",
    );
    if above {
        b.step(&[], "Publish a contract notice or a prior information notice before awarding (unless a negotiated procedure without prior publication would be justified under reg 32)", "SI 2015/102 reg 75(1)");
        b.step(
            &[],
            "Publish a contract award notice after awarding (notices may be grouped quarterly)",
            "SI 2015/102 reg 75(2) and (4)",
        );
        b.step(&[], "Observe the standstill period between the award decision notice and entering into the contract", "SI 2015/102 regs 86 and 87");
        if let Some(rule) = rules.standstill(ids::PCR_2015_LIGHT_TOUCH) {
            standstill(b, rule, c, cal)?;
        }
    } else if let Some(t) = threshold {
        b.notes.push(format!(
            "estimated value £{:.0} is below the light touch threshold of £{:.0}{} for procurements begun on {}: regs 74-76 of the Public Contracts Regulations 2015 do not apply",
            c.estimated_value,
            t.amount_pounds,
            if t.includes_vat { " (including VAT)" } else { "" },
            b.began
        ));
    } else if light_touch {
        b.notes.push(format!(
            "no light touch threshold in the data covers a procurement begun on {}; check SI 2015/102 reg 5",
            b.began
        ));
    }
    if part_b {
        b.step(&[], "Health services were Part B services: use non-discriminatory technical specifications and send a contract award notice (to confirm against the 2006 Regulations)", "SI 2006/5 regs 5(2), 9 and 31");
    }
    Ok(())
}
