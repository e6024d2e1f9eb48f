//! "What did NHS England keep?" (JOURNEYS.md, company secretary, step 2), through the real
//! binary. Expected facts are public: when NHS England delegated primary medical services to
//! every ICB from 2022-07-01 it kept the GP performers lists, and when it delegated pharmacy,
//! optometry and dental services from 2023-04-01 it kept the dental and ophthalmic performers
//! lists (NHS England, 'Delegation of primary medical, pharmaceutical, ophthalmic and dental
//! functions'; NHS (Performers Lists) (England) Regulations 2013). Pharmaceutical services
//! have no performers list, so no function is kept back under pharmacy; what else the
//! agreements reserved is not listed in the register yet ("to confirm").

use std::process::Command;

fn vires(args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(args)
        .env(
            "VIRES_DB",
            format!("sqlite://{}", dir.path().join("s.db").display()),
        )
        .env("COLUMNS", "400")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The lines of `what`'s text answer that belong to the holding of `function`.
fn holding_block<'a>(out: &'a str, function: &str) -> Vec<&'a str> {
    let mut lines = out
        .lines()
        .skip_while(|l| l.split_whitespace().next() != Some(function));
    let mut block: Vec<&str> = lines.next().into_iter().collect();
    block.extend(lines.take_while(|l| l.starts_with("      ")));
    block
}

#[test]
fn what_an_icb_holds_says_what_nhs_england_kept() {
    // Greater Manchester ICB (QOP) in June 2023: primary medical and dental delegated.
    let (code, out, err) = vires(&["what", "QOP", "--on", "2023-06-01"]);
    assert_eq!(code, 0, "{err}");
    let medical = holding_block(&out, "commissioning.primary-care.medical").join("\n");
    assert!(medical.contains("delegate"), "{medical}");
    assert!(
        medical.contains("kept by X24: commissioning.primary-care.medical.performers"),
        "{medical}"
    );
    let dental = holding_block(&out, "commissioning.primary-care.dental").join("\n");
    assert!(
        dental.contains("kept by X24: commissioning.primary-care.dental.performers"),
        "{dental}"
    );
    // Only what falls under the holding's own function is named.
    assert!(!dental.contains("optometry.performers"), "{dental}");
    let pharmacy = holding_block(&out, "commissioning.primary-care.pharmacy").join("\n");
    assert!(!pharmacy.is_empty(), "{out}");
    // Complaints to the commissioner stayed with NHS England until 2023-07-01 (NHS
    // Lancashire and South Cumbria ICB; Healthwatch Darlington, June 2023).
    assert!(
        pharmacy.contains("kept by X24: commissioning.primary-care.pharmacy.complaints"),
        "{pharmacy}"
    );
    assert!(!pharmacy.contains("performers"), "{pharmacy}");
    // The delegation agreements reserved more to NHS England than the performers lists; the
    // register has not listed it yet, and says so beside each delegated holding rather than
    // letting the answer look complete.
    for block in [&medical, &dental, &pharmacy] {
        assert!(
            block.contains("also kept by X24:") && block.contains("to confirm"),
            "{block}"
        );
    }
    // The ICB's own statutory duty keeps nothing back.
    let secondary = holding_block(&out, "commissioning.secondary-care").join("\n");
    assert!(secondary.contains("statutory"), "{secondary}");
    assert!(!secondary.contains("kept by"), "{secondary}");
}

#[test]
fn what_is_not_called_kept_once_the_body_holds_it_by_another_instrument() {
    // From 2023-07-01 the ICB holds complaints about primary care by their own delegation,
    // though the GP and POD delegations still except them.
    let (code, out, err) = vires(&["what", "QOP", "--on", "2024-06-01"]);
    assert_eq!(code, 0, "{err}");
    let pharmacy = holding_block(&out, "commissioning.primary-care.pharmacy").join("\n");
    assert!(!pharmacy.contains("not passed on"), "{pharmacy}");
    let medical = holding_block(&out, "commissioning.primary-care.medical").join("\n");
    assert!(
        medical.contains("kept by X24: commissioning.primary-care.medical.performers, commissioning.primary-care.medical.capital"),
        "{medical}"
    );
    assert!(!medical.contains("medical.complaints"), "{medical}");
    let complaints =
        holding_block(&out, "commissioning.primary-care.medical.complaints").join("\n");
    assert!(complaints.contains("nhse-icb-complaints-2023"), "{out}");
}

#[test]
fn explain_names_what_a_delegation_leaves_out_and_what_was_retained() {
    let (code, out, err) = vires(&["explain", "nhse-icb-primary-medical-2022"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("functions: commissioning.primary-care.medical\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "except: commissioning.primary-care.medical.performers, commissioning.primary-care.medical.complaints, commissioning.primary-care.medical.capital (not passed on: X24 keeps them)"
        ),
        "{out}"
    );
    assert!(out.contains("retained by the maker: "), "{out}");
}
