//! Static assets, compiled into the binary: the vendored NHS design system (see
//! `scripts/vendor-nhsuk.sh`) and vires' own small additions. URLs carry the crate version,
//! so they may be cached for a year.

use crate::context::Ctx;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use vires_server::state::AppState;

struct Asset {
    path: &'static str,
    mime: &'static str,
    bytes: &'static [u8],
}

const FAVICON: Asset = Asset {
    path: "/assets/favicon.svg",
    mime: "image/svg+xml",
    bytes: include_bytes!("../assets/favicon.svg"),
};

const ASSETS: &[Asset] = &[
    Asset {
        path: "/assets/vendor/nhsuk-frontend.min.css",
        mime: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/nhsuk-frontend.min.css"),
    },
    Asset {
        path: "/assets/vendor/nhsuk-frontend.min.js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/nhsuk-frontend.min.js"),
    },
    Asset {
        path: "/assets/vires.css",
        mime: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/vires.css"),
    },
    Asset {
        path: "/assets/vires.js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/vires.js"),
    },
    FAVICON,
];

fn serve(asset: &'static Asset) -> Response {
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, HeaderValue::from_static(asset.mime)),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.bytes,
    )
        .into_response()
}

pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for a in ASSETS {
        r = r.route(a.path, get(move || async move { serve(a) }));
    }
    r.route("/favicon.ico", get(|| async { serve(&FAVICON) }))
        .route("/assets/{*rest}", get(missing))
}

async fn missing(ctx: Ctx) -> Response {
    ctx.respond(Err(crate::error::WebError::not_found_thing(
        format!("There is no file at {}.", ctx.path),
        "Reload the page you came from: it names the files it needs.",
    )))
}
