//! A query string with nothing encoded in it (no `%`, no `+`: nearly every query a program
//! sends) read for serde as it stands. Keys and values are slices of the query; there is
//! nothing to decode, so nothing is scanned for escapes or copied before the handler's own
//! fields take what they keep. serde_urlencoded reads any other query.
//!
//! It answers as serde_urlencoded does (a property test compares the two on the handlers'
//! own parameter types): values are strings, `Option`s are `Some` whenever the key is
//! present, numbers and booleans are parsed from the text, enums are unit variants named by
//! the text. A query it refuses is read again by serde_urlencoded, whose messages the
//! problem details quote; so only its successes need to agree.

use serde::de::value::{Error, MapDeserializer};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, Visitor};

/// `raw` read into `T`; only for a query that [`crate::extract::plain_keys`] accepts.
pub fn from_plain_query<'de, T: Deserialize<'de>>(raw: &'de str) -> Result<T, Error> {
    T::deserialize(MapDeserializer::new(
        Pairs { rest: raw }.map(|(k, v)| (k, Text(v))),
    ))
}

/// The `(key, value)` pieces of a query as they stand, split as `form_urlencoded::parse`
/// splits: empty pieces are skipped, a piece without `=` is a key with an empty value, and a
/// value may itself hold `=`. Plain loops over the bytes: `str::split` sets up a searcher per
/// piece, which on pieces of a few bytes cost more than the search.
pub struct Pairs<'a> {
    pub rest: &'a str,
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let bytes = self.rest.as_bytes();
            let end = bytes.iter().position(|&b| b == b'&').unwrap_or(bytes.len());
            // `&` and `=` are ASCII, so every split below falls on a character boundary.
            let (piece, rest) = self.rest.split_at(end);
            self.rest = rest.get(1..).unwrap_or("");
            if piece.is_empty() {
                continue;
            }
            return Some(match piece.as_bytes().iter().position(|&b| b == b'=') {
                Some(eq) => (&piece[..eq], &piece[eq + 1..]),
                None => (piece, ""),
            });
        }
    }
}

/// A value as it stands in the query.
struct Text<'de>(&'de str);

impl<'de> IntoDeserializer<'de, Error> for Text<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parsed {
    ($($method:ident => $visit:ident,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0.parse() {
                Ok(v) => visitor.$visit(v),
                Err(e) => Err(de::Error::custom(e)),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for Text<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(de::value::BorrowedStrDeserializer::new(self.0))
    }

    parsed! {
        deserialize_bool => visit_bool,
        deserialize_u8 => visit_u8,
        deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32,
        deserialize_u64 => visit_u64,
        deserialize_i8 => visit_i8,
        deserialize_i16 => visit_i16,
        deserialize_i32 => visit_i32,
        deserialize_i64 => visit_i64,
        deserialize_f32 => visit_f32,
        deserialize_f64 => visit_f64,
    }

    serde::forward_to_deserialize_any! {
        char str string unit bytes byte_buf unit_struct tuple_struct struct identifier
        tuple ignored_any seq map
    }
}
