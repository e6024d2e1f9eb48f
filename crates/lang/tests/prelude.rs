use vires_lang::*;

#[test]
fn prelude_loads_without_errors() {
    let loaded = load_with_prelude(&Sources::new());
    let text = render(&loaded.sources, &loaded.errors, &[], false);
    assert!(loaded.errors.is_empty(), "{text}");
    let reg = &loaded.register;
    assert_eq!(reg.bodies.len(), 3);
    assert!(reg
        .taxonomy
        .get("commissioning.primary-care.medical.performers")
        .is_some());
    assert!(reg.powers.len() >= 18, "{}", reg.powers.len());
    assert!(reg.powers.iter().all(|p| !p.source.is_empty()));
}
