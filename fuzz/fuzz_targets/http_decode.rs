//! Request decoding on arbitrary bytes: the JSON shapes an HTTP request carries (a place,
//! an instrument, a body) and dates as query strings carry them. Never panic, and whatever
//! decodes encodes back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vires_core::{Body, Instrument, Place};

fn round_trip<T>(data: &[u8])
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    if let Ok(v) = serde_json::from_slice::<T>(data) {
        let json = serde_json::to_vec(&v).expect("a decoded value encodes");
        let back: T = serde_json::from_slice(&json).expect("an encoded value decodes");
        assert_eq!(v, back);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<Place>(data);
    round_trip::<Instrument>(data);
    round_trip::<Body>(data);
    if let Ok(s) = std::str::from_utf8(data) {
        for part in s.split('&') {
            if let Some(v) = part.strip_prefix("on=") {
                if let Ok(d) = v.parse::<jiff::civil::Date>() {
                    assert_eq!(d.to_string().parse::<jiff::civil::Date>().ok(), Some(d));
                }
            }
        }
    }
});
