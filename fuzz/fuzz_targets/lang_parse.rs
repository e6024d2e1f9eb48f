//! The `.vires` parser and formatter on arbitrary text: never panic, and formatting is
//! idempotent (formatting formatted text changes nothing), and formatted text parses
//! without errors whenever the original did.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (doc, errors) = vires_lang::parse(0, text);
    let _ = vires_lang::print(&doc);
    if let Ok(once) = vires_lang::format(text) {
        let twice = vires_lang::format(&once);
        assert_eq!(twice.as_deref().ok(), Some(once.as_str()), "format is not idempotent");
        if errors.is_empty() {
            let (_, again) = vires_lang::parse(0, &once);
            assert!(again.is_empty(), "formatted text no longer parses: {again:?}");
        }
    }
    let (register, _) = vires_lang::lower(&[doc]);
    let _ = vires_core::Snapshot::compile(register);
});
