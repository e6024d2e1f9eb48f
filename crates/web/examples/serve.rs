//! Serves the API and the web UI together, as `vires serve` will once it mounts the UI:
//! `cargo run -p vires-web --example serve -- ADDR DB_URL [ADMIN_NAME]`. Used by
//! `scripts/e2e.sh`; prints `listening on ADDR` when ready, and writes the bootstrap admin's
//! token to the new file `$VIRES_BOOTSTRAP_TOKEN_FILE` (or shows it on the terminal).

use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let db = args.next().ok_or("usage: serve ADDR DB_URL [ADMIN_NAME]")?;
    let admin = args.next();
    // The rest (the bootstrap token's file, OpenID Connect) from VIRES_* as `vires serve` reads it.
    let mut config = vires_server::ServeConfig::from_process_env(None)?;
    config.addr = addr.clone();
    config.db = db;
    config.auth.bootstrap_admin = admin;
    let _log = vires_server::init_logging(&config);
    let state = vires_server::prepare(config).await?;
    state.spawn_watcher()?;
    let app = vires_server::router(state.clone()).merge(vires_web::router(state.clone()));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on {}", listener.local_addr()?);
    let st = state.clone();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = tokio::signal::ctrl_c().await;
        st.set_shutting_down();
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}
