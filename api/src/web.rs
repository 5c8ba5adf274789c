//! The web app, built from `web/` by the build script and embedded in the binary: `/` answers its page, and
//! `/assets/…` its scripts, styles and fonts. Asset names carry a hash of their content, so they are cached
//! for a year; the page itself is checked on every load, so a new release is picked up at once.

use poem::http::header;
use poem::{IntoResponse, Request, Response, handler};

use crate::problem::ApiError;

include!(concat!(env!("OUT_DIR"), "/web_files.rs"));

fn file(path: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(p, _)| *p == path).map(|(_, bytes)| *bytes)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// `/`: the app's one page (its routes live after the `#`).
#[handler]
pub fn page() -> Response {
    let body = file("index.html").expect("the build script always builds index.html");
    Response::builder().content_type(content_type("index.html")).header(header::CACHE_CONTROL, "no-cache").body(body)
}

/// `/assets/<name>`: a built file, or 404.
#[handler]
pub fn asset(req: &Request) -> Response {
    let path = req.uri().path().trim_start_matches('/');
    match file(path).filter(|_| path.starts_with("assets/")) {
        Some(bytes) => Response::builder()
            .content_type(content_type(path))
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            .body(bytes),
        None => ApiError::not_found("file").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_embeds_the_page_and_the_scripts_it_loads() {
        let html = std::str::from_utf8(file("index.html").unwrap()).unwrap();
        let scripts: Vec<&str> = FILES.iter().map(|(p, _)| *p).filter(|p| p.ends_with(".js")).collect();
        assert!(!scripts.is_empty());
        assert!(scripts.iter().any(|s| html.contains(&format!("/{s}"))), "the page loads a built script");
    }
}
