//! Prints a summary of the bundled register and its data-quality report.
fn main() {
    match vires_england::bundled() {
        Ok(i) => {
            println!(
                "{} bodies, {} practices, {} memberships, {} successions, {} instruments, {} areas",
                i.register.bodies.len(),
                i.register.practices.len(),
                i.register.memberships.len(),
                i.register.successions.len(),
                i.register.instruments.len(),
                i.register.areas.len()
            );
            print!("{}", i.quality.to_text());
        }
        Err(e) => eprintln!("{e}"),
    }
}
