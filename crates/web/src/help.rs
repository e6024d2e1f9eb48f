//! A diagnostic's help, said for someone in the browser: the core's help names the `vires`
//! command that shows more (`vires powers`, `vires what X --on D`), which a person drafting
//! in the UI does not have; each is replaced by the page or list that shows the same.

/// `help` with each command-line pointer replaced by its place in the UI.
pub fn in_the_browser(help: &str) -> String {
    let mut out = help
        .replace(
            "`vires powers` lists them",
            "the Legal basis list, when you draft, offers the ones the maker may use for this kind on this date",
        )
        .replace(
            "check the code with `vires bodies`",
            "search for the body by name to find its code",
        )
        .replace("an id from `vires functions`", "an id from the Functions page");
    // "check with `vires what QOP --on 2027-04-01`" → the body's page on that date.
    while let Some(start) = out.find("`vires what ") {
        let rest = &out[start + "`vires what ".len()..];
        let Some(end) = rest.find('`') else { break };
        let mut words = rest[..end].split_whitespace();
        let (Some(code), Some("--on"), Some(on), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            break;
        };
        let page = format!(
            "the page of {code} on {on} (/ui/bodies/{code}?on={on}), which lists what it held"
        );
        out.replace_range(start..start + "`vires what ".len() + end + 1, &page);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::in_the_browser;

    #[test]
    fn command_line_pointers_become_pages() {
        assert_eq!(
            in_the_browser("cite a power that lets this kind of body make this instrument on this date; `vires powers` lists them"),
            "cite a power that lets this kind of body make this instrument on this date; the Legal basis list, when you draft, offers the ones the maker may use for this kind on this date"
        );
        assert_eq!(
            in_the_browser("check with `vires what QOP --on 2027-04-01`; an arrangement can only pass on a function its source holds for that whole area"),
            "check with the page of QOP on 2027-04-01 (/ui/bodies/QOP?on=2027-04-01), which lists what it held; an arrangement can only pass on a function its source holds for that whole area"
        );
        assert_eq!(
            in_the_browser("declare the body, or check the code with `vires bodies`"),
            "declare the body, or search for the body by name to find its code"
        );
        // Anything else is left as it is, an unexpected shape included.
        assert_eq!(in_the_browser("see `vires what`"), "see `vires what`");
        assert_eq!(in_the_browser("no pointer"), "no pointer");
    }
}
