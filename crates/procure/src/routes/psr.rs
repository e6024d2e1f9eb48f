//! The Provider Selection Regime (SI 2023/1348): direct awards A, B and C, the most
//! suitable provider process and competition, in the regulations' order of questions.

use super::*;

pub(super) fn psr(
    b: &mut Builder,
    c: &Contract,
    framework: Option<&str>,
    rules: &Rules,
    cal: &Calendar,
) -> Result<(), ProcureError> {
    let incumbent = c.current_provider.as_deref();
    let cc = &rules.considerable_change;
    let by_value = c.existing_value.map(|old| {
        let rise = c.estimated_value - old;
        let pct = if old > 0.0 {
            rise / old * 100.0
        } else {
            f64::INFINITY
        };
        rise >= cc.min_increase_pounds && pct >= cc.min_increase_percent
    });
    let considerable = c.considerable_change || by_value == Some(true);
    b.out.considerable_change = Some(ChangeTest {
        stated: c.considerable_change,
        by_value,
        considerable,
        citation: cc.citation.clone(),
    });
    let a_applies = incumbent.is_some() && c.only_provider_capable;
    let b_applies = !a_applies && c.patient_choice;
    let mandatory = if a_applies {
        Some((p::DIRECT_AWARD_A, "direct award process A"))
    } else if b_applies {
        Some((p::DIRECT_AWARD_B, "direct award process B"))
    } else {
        None
    };

    // Direct award A.
    let t_a = "Direct award process A";
    let c_a = "SI 2023/1348 regs 6 and 7";
    match incumbent {
        Some(prov) if c.only_provider_capable => b.require(
            p::DIRECT_AWARD_A,
            t_a,
            c_a,
            format!("{prov} is the existing provider and the authority is satisfied that only it can provide the service; the regime then requires this process"),
        ),
        Some(_) => b.refuse(p::DIRECT_AWARD_A, t_a, c_a, "the authority has not recorded that only the existing provider can provide the service (only_provider_capable is false)"),
        None => b.refuse(p::DIRECT_AWARD_A, t_a, c_a, "there is no existing provider (current_provider is not given); process A renews an existing service only"),
    }
    // Direct award B.
    let t_b = "Direct award process B";
    let c_b = "SI 2023/1348 regs 6 and 8";
    if a_applies {
        b.refuse(
            p::DIRECT_AWARD_B,
            t_b,
            c_b,
            "direct award process A applies and must be followed",
        );
    } else if c.patient_choice {
        b.require(p::DIRECT_AWARD_B, t_b, c_b, "patients choose their provider and the number of providers is not restricted; the regime then requires this process, with contracts offered to every provider that meets the requirements");
    } else {
        b.refuse(p::DIRECT_AWARD_B, t_b, c_b, "patients do not choose among an unrestricted number of providers for this service (patient_choice is false)");
    }
    // Direct award C.
    let t_c = "Direct award process C";
    let c_c = "SI 2023/1348 regs 6 and 9";
    if let Some((_, name)) = mandatory {
        b.refuse(
            p::DIRECT_AWARD_C,
            t_c,
            c_c,
            format!("{name} applies and must be followed"),
        );
    } else if incumbent.is_none() {
        b.refuse(p::DIRECT_AWARD_C, t_c, c_c, "there is no existing provider whose expiring contract would be replaced (current_provider is not given)");
    } else if considerable {
        let why = if c.considerable_change {
            "the authority states that the service changes considerably".to_string()
        } else {
            format!(
                "the lifetime value rises from £{:.0} to £{:.0}: at least £{:.0} and {:.0}% more, a considerable change",
                c.existing_value.unwrap_or(0.0),
                c.estimated_value,
                cc.min_increase_pounds,
                cc.min_increase_percent
            )
        };
        b.refuse(
            p::DIRECT_AWARD_C,
            t_c,
            c_c,
            format!("{why} ({})", cc.citation),
        );
    } else {
        match c.provider_satisfactory {
            Some(true) => b.permit(p::DIRECT_AWARD_C, t_c, c_c, format!(
                "the existing provider {} is satisfying the existing contract and will likely satisfy the new one, and the change is not considerable",
                incumbent.unwrap_or_default()
            )),
            Some(false) => b.refuse(p::DIRECT_AWARD_C, t_c, c_c, "the existing provider is not satisfying the existing contract to a sufficient standard"),
            None => b.refuse(p::DIRECT_AWARD_C, t_c, c_c, "the authority has not recorded whether the existing provider is satisfying the existing contract (provider_satisfactory); record that assessment against the key criteria first"),
        }
    }
    // Most suitable provider and competitive process.
    let t_m = "Most suitable provider process";
    let c_m = "SI 2023/1348 regs 6 and 10";
    let t_k = "Competitive process";
    let c_k = "SI 2023/1348 regs 6 and 11";
    if let Some((_, name)) = mandatory {
        b.refuse(
            p::MOST_SUITABLE,
            t_m,
            c_m,
            format!("{name} applies and must be followed"),
        );
        b.refuse(
            p::PSR_COMPETITIVE,
            t_k,
            c_k,
            format!("{name} applies and must be followed"),
        );
    } else {
        b.permit(p::MOST_SUITABLE, t_m, c_m, "neither direct award A nor B is required; the authority may use this process if, taking into account likely providers, it can identify the most suitable provider without a competition");
        b.permit(p::PSR_COMPETITIVE, t_k, c_k, "neither direct award A nor B is required; a competition is always open to the authority");
    }
    let t_f = "Call-off from a framework agreement";
    let c_f = "SI 2023/1348 regs 16 and 18";
    match (framework, mandatory) {
        (_, Some((_, name))) => b.refuse(
            p::PSR_FRAMEWORK,
            t_f,
            c_f,
            format!("{name} applies and must be followed"),
        ),
        (Some(fw), None) => b.permit(
            p::PSR_FRAMEWORK,
            t_f,
            c_f,
            format!("a contract may be awarded under the framework agreement `{fw}` on its terms"),
        ),
        (None, None) => b.refuse(
            p::PSR_FRAMEWORK,
            t_f,
            c_f,
            "no framework agreement is named (framework)",
        ),
    }

    // Steps.
    b.out.key_criteria = psr_key_criteria();
    b.step(&[], "Act with a view to securing the needs of the people who use the services, improving their quality and the efficiency of their provision, and act transparently, fairly and proportionately", "SI 2023/1348 reg 4");
    b.step(
        &[p::DIRECT_AWARD_A, p::DIRECT_AWARD_B],
        "Publish a notice of the award within 30 days of the contract being awarded",
        "SI 2023/1348 regs 7 and 8, Sch 2",
    );
    b.step(&[p::DIRECT_AWARD_C, p::MOST_SUITABLE, p::PSR_COMPETITIVE], "Assess the provider(s) against the key criteria and the basic selection criteria, and record how each criterion was applied", "SI 2023/1348 regs 5 and 19");
    b.step(
        &[p::DIRECT_AWARD_C, p::MOST_SUITABLE, p::PSR_COMPETITIVE],
        "Publish a notice of intention to award the contract before awarding it",
        "SI 2023/1348 regs 9, 10 and 11",
    );
    b.step(&[p::DIRECT_AWARD_C, p::MOST_SUITABLE, p::PSR_COMPETITIVE], "Observe the standstill: it begins the day after the intention notice is published and lasts until midnight at the end of the 8th working day after that; a representation keeps it open until the decision has been reviewed, then at least 5 more working days; providers may refer the decision to the Independent Patient Choice and Procurement Panel", "SI 2023/1348 reg 12");
    b.step(&[p::PSR_COMPETITIVE], "Publish a contract notice inviting offers, with the award criteria, before assessing offers", "SI 2023/1348 reg 11");
    b.step(&[], "Declare and manage conflicts of interest of everyone involved in the decision, and keep a record of how each was managed", "SI 2023/1348 reg 21");
    b.step(&[], "Keep a record of the decision: the decision-makers, the process followed, how the key criteria were applied, and the conflicts declared and how they were managed", "SI 2023/1348 reg 24");
    let needs_standstill = b.out.permitted.iter().any(|x| {
        [p::DIRECT_AWARD_C, p::MOST_SUITABLE, p::PSR_COMPETITIVE].contains(&x.id.as_str())
    });
    if needs_standstill {
        if let Some(rule) = rules.standstill(ids::PSR) {
            standstill(b, rule, c, cal)?;
        }
    }
    Ok(())
}
