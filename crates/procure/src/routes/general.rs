//! General procurement law: the estimated value against the threshold in force decides
//! whether the full procedures apply.

use super::*;

pub(super) fn general(
    b: &mut Builder,
    c: &Contract,
    framework: Option<&str>,
    rules: &Rules,
    cal: &Calendar,
) -> Result<(), ProcureError> {
    let rid = b.regime.id.clone();
    // Without a class for every commissioner, the lower (central) threshold is used, so the
    // answer never relaxes the rules on a guess; the note says so.
    let class = match b.class {
        Some(class) => class,
        None => {
            b.notes.push("the class of contracting authority (central or sub-central) is not in the data for every commissioner: the lower, central government threshold is used (to confirm)".into());
            AuthorityClass::Central
        }
    };
    let threshold = rules.threshold(&rid, class, b.began);
    let above = threshold.is_some_and(|t| c.estimated_value >= t.amount_pounds);
    if let Some(t) = threshold {
        b.out.threshold = Some(ThresholdUse::new(t, c.estimated_value));
    } else {
        b.notes.push(format!(
            "no goods-and-services threshold for {rid} for a procurement begun on {} is in the data; the answer assumes the contract is above it",
            b.began
        ));
    }
    let above = above || threshold.is_none();
    let act = rid == ids::PROCUREMENT_ACT;
    let (comp_id, comp_title, comp_cite) = if act {
        (
            p::COMPETITIVE_TENDERING,
            "Competitive tendering procedure (open or competitive flexible)",
            "Procurement Act 2023 ss.19-20",
        )
    } else if rid == ids::PCR_2015 {
        (
            p::COMPETITIVE_PROCEDURE,
            "Open, restricted or competitive procedure with negotiation",
            "SI 2015/102 regs 26-29",
        )
    } else {
        (
            p::COMPETITIVE_PROCEDURE,
            "Open, restricted or negotiated procedure",
            "SI 2006/5 regs 12-17",
        )
    };
    b.permit(
        comp_id,
        comp_title,
        comp_cite,
        "a competitive procedure is always open to the authority",
    );
    let (fw_cite, da_id, da_title, da_cite) = if act {
        (
            "Procurement Act 2023 ss.45-47",
            p::PA_DIRECT_AWARD,
            "Direct award",
            "Procurement Act 2023 s.41 and Sch 5",
        )
    } else if rid == ids::PCR_2015 {
        (
            "SI 2015/102 reg 33",
            p::NEGOTIATED_WITHOUT_NOTICE,
            "Negotiated procedure without prior publication",
            "SI 2015/102 reg 32(2)(b)",
        )
    } else {
        (
            "SI 2006/5 reg 19",
            p::NEGOTIATED_WITHOUT_NOTICE,
            "Negotiated procedure without prior publication",
            "SI 2006/5 reg 14(1)(a)(ii)",
        )
    };
    match framework {
        Some(fw) => b.permit(
            p::FRAMEWORK_CALL_OFF,
            "Call-off from a framework agreement",
            fw_cite,
            format!("a contract may be awarded under the framework agreement `{fw}` on its terms"),
        ),
        None => b.refuse(
            p::FRAMEWORK_CALL_OFF,
            "Call-off from a framework agreement",
            fw_cite,
            "no framework agreement is named (framework)",
        ),
    }
    if !above {
        b.refuse(
            da_id,
            da_title,
            da_cite,
            "the value is below the threshold, so the below-threshold route applies instead",
        );
        let (bt_cite, bt_reason) = if act {
            ("Procurement Act 2023 Part 6", "below the threshold: the Act's competitive procedures do not apply; below-threshold notices and the authority's standing orders do")
        } else {
            ("SI 2015/102 Part 4 (regs 105-112)", "below the threshold: Part 2 procedures do not apply; the authority's standing orders and, where it advertises, Contracts Finder do")
        };
        b.permit(
            p::BELOW_THRESHOLD,
            "Below-threshold award",
            bt_cite,
            bt_reason,
        );
    } else {
        if c.only_provider_capable {
            b.permit(da_id, da_title, da_cite, "the authority records that only one supplier can provide it (technical reasons or absence of competition)");
        } else {
            b.refuse(da_id, da_title, da_cite, "only when one supplier alone can provide it (only_provider_capable is false) or another listed justification applies");
        }
        let reason = match threshold {
            Some(t) => format!(
                "the estimated value £{:.0} is at or above the threshold of £{:.0}",
                c.estimated_value, t.amount_pounds
            ),
            None => "the threshold for this date is not in the data".to_string(),
        };
        let bt_cite = if act {
            "Procurement Act 2023 Part 6"
        } else {
            "SI 2015/102 Part 4"
        };
        b.refuse(p::BELOW_THRESHOLD, "Below-threshold award", bt_cite, reason);
    }
    if act {
        b.step(
            &[p::COMPETITIVE_TENDERING],
            "Publish a tender notice",
            "Procurement Act 2023 s.21",
        );
        b.step(
            &[p::PA_DIRECT_AWARD],
            "Publish a transparency notice before awarding directly",
            "Procurement Act 2023 s.44",
        );
        if above {
            b.step(&[p::COMPETITIVE_TENDERING, p::PA_DIRECT_AWARD, p::FRAMEWORK_CALL_OFF], "Publish a contract award notice (and give assessment summaries to suppliers) before entering into the contract", "Procurement Act 2023 s.50");
            b.step(&[p::COMPETITIVE_TENDERING, p::PA_DIRECT_AWARD], "Observe the mandatory standstill of 8 working days beginning with the day the contract award notice is published", "Procurement Act 2023 s.51(1)-(2)");
            b.step(&[p::FRAMEWORK_CALL_OFF], "A contract awarded under a framework is exempt from the mandatory standstill; the authority may choose a voluntary standstill (at least 8 working days beginning with the day the contract award notice is published), and then may not enter into the contract before it ends", "Procurement Act 2023 s.51(3)(d) (exemption for contracts awarded in accordance with a framework), s.51(4)-(5) (voluntary standstill of at least 8 working days)");
            b.step(
                &[
                    p::COMPETITIVE_TENDERING,
                    p::PA_DIRECT_AWARD,
                    p::FRAMEWORK_CALL_OFF,
                ],
                "Publish a contract details notice after entering into the contract",
                "Procurement Act 2023 s.53",
            );
        }
        b.step(
            &[],
            "Declare and manage conflicts of interest; keep a conflicts assessment",
            "Procurement Act 2023 ss.81-83",
        );
    } else if above {
        let cite = if rid == ids::PCR_2015 {
            "SI 2015/102 regs 49-50"
        } else {
            "SI 2006/5 regs 30-31"
        };
        b.step(
            &[comp_id],
            "Publish a contract notice (and a contract award notice after award)",
            cite,
        );
        let cite = if rid == ids::PCR_2015 {
            "SI 2015/102 regs 86-87"
        } else {
            "SI 2006/5 regs 32-32A"
        };
        b.step(&[], "Send award decision notices and observe the standstill before entering into the contract", cite);
        if rid == ids::PCR_2015 {
            b.step(
                &[],
                "Prevent, identify and remedy conflicts of interest in the procedure",
                "SI 2015/102 reg 24",
            );
        }
    }
    if above {
        if let Some(rule) = rules.standstill(&rid) {
            standstill(b, rule, c, cal)?;
            if act {
                if let Some(s) = b.out.standstill.last_mut() {
                    s.voluntary_for = vec![p::FRAMEWORK_CALL_OFF.to_string()];
                }
            }
        }
    }
    Ok(())
}
