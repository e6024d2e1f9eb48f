//! Prints `vires map --to DATE` CSV for the bundled register (default 2023-01-01).
fn main() {
    let on = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(jiff::civil::date(2023, 1, 1));
    match vires_england::bundled() {
        Ok(i) => print!("{}", vires_england::map_to_csv(&i.register, on)),
        Err(e) => eprintln!("{e}"),
    }
}
