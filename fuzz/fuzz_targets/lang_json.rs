//! The JSON form on arbitrary bytes: never panic, and a document that loads survives a
//! round trip through `to_json`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(doc) = vires_lang::from_json(text) {
        let json = vires_lang::to_json(&doc);
        let back = vires_lang::from_json(&json);
        assert!(back.is_ok(), "to_json output does not load: {:?}", back.err());
        let (register, _) = vires_lang::lower(&[doc]);
        let _ = vires_core::Snapshot::compile(register);
    }
});
