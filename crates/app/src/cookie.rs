//! Reading a cookie from a request's `Cookie` headers (RFC 6265: `name=value` pairs
//! separated by `;`, in one header or several).

/// The value of cookie `name` in the `Cookie` header values `headers`; an empty value is
/// no value.
pub fn value<'a, I>(headers: I, name: &str) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    headers
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::value;

    #[test]
    fn finds_a_cookie_in_one_header_or_several() {
        assert_eq!(
            value(["a=1; vires_session=xyz"], "vires_session"),
            Some("xyz")
        );
        assert_eq!(value(["a=1", "b=2"], "b"), Some("2"));
        assert_eq!(value(["a="], "a"), None);
        assert_eq!(value(["xa=1"], "a"), None);
        assert_eq!(value(Vec::<&str>::new(), "a"), None);
    }
}
