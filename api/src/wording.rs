//! Refusals in the reader's language: every `application/problem+json` answer, whoever shaped it (a handler,
//! the framework, a timeout), has its `title` and `detail` worded from the catalog by its `code`, in the
//! language the request's `Accept-Language` asks for, else the one the caller's account chose, else Chinese.
//! The `code` and `field` a program reads never change.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::http::header::CONTENT_LENGTH;
use poem::{Endpoint, IntoResponse, Request, Response};

use linli_domain::words::{Lang, problems};

use crate::state::AppState;

pub async fn word_problems<E: Endpoint>(next: Arc<E>, req: Request, state: AppState) -> poem::Result<Response> {
    let asked = Lang::asked(req.header("accept-language"));
    let token = req.header("authorization").and_then(|h| h.strip_prefix("Bearer ")).map(str::to_owned);
    let resp = match next.call(req).await {
        Ok(resp) => resp.into_response(),
        Err(err) => err.into_response(),
    };
    if !resp.content_type().is_some_and(|c| c.starts_with("application/problem+json")) {
        return Ok(resp);
    }
    // The account is looked up only for a refusal of what a signed-in caller asked: a token refused (401) has
    // no account, and a failure on our side (5xx) may be the database itself being down.
    let signed_in = resp.status().is_client_error() && resp.status() != StatusCode::UNAUTHORIZED;
    let lang = match (asked, token) {
        (Some(lang), _) => Some(lang),
        // Usually the session is remembered from the request just answered, and no table is read.
        (None, Some(token)) if signed_in => {
            state.accounts.resolve(&token).await.ok().flatten().and_then(|a| a.language)
        }
        _ => None,
    }
    .unwrap_or_default();
    let (mut parts, body) = resp.into_parts();
    let bytes = body.into_bytes().await.unwrap_or_default();
    let Ok(mut problem) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Ok(Response::from_parts(parts, bytes.into()));
    };
    let code = problem["code"].as_str().unwrap_or_default().to_owned();
    let own = problem["detail"].as_str().unwrap_or_default().to_owned();
    match problems::detail(&code, problem["field"].as_str(), &own, lang) {
        Some(detail) => problem["detail"] = detail.into(),
        None => tracing::warn!(code, "a refusal's code has no words in the catalog"),
    }
    let status = u16::try_from(problem["status"].as_u64().unwrap_or_default()).unwrap_or_default();
    if let Some(title) = problems::title(status, lang) {
        problem["title"] = title.into();
    }
    parts.headers.remove(CONTENT_LENGTH);
    Ok(Response::from_parts(parts, problem.to_string().into()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The codes written in the sources of the API, the use cases and the adapters where refusals are made:
    /// `ApiError::new(status, "code", …)`, `ApiError::invalid(field, "code", …)`, `Invalid::new(field, "code",
    /// …)`, `too_many("code", …)`, `conflict("code", …)`, the arms of a `let code = match` and of a match
    /// giving `("field", "code")`, and the branches of a `let code = if`. (Debug builds also refuse, in
    /// `ApiError::new`, a code the catalog does not know, so every test that meets one fails too.)
    fn codes_in_sources() -> BTreeSet<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut text = String::new();
        for dir in ["api/src", "domain/src", "infra/src"] {
            read_rs(&root.join(dir), &mut text);
        }
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut out = BTreeSet::new();
        let literal_after = |rest: &str, skip_first_arg: bool| -> Option<String> {
            let rest = if skip_first_arg { &rest[top_level_comma(rest)? + 1..] } else { rest };
            let rest = rest.trim_start().strip_prefix('"')?;
            let end = rest.find('"')?;
            let code = &rest[..end];
            code.chars().all(|c| c.is_ascii_lowercase() || c == '_').then(|| code.to_owned())
        };
        for (anchor, skip) in [
            ("ApiError::new(", true),
            ("ApiError::invalid(", true),
            ("Invalid::new(", true),
            ("too_many(", false),
            ("conflict(", false),
            ("=> (\"", true),
        ] {
            for (at, _) in text.match_indices(anchor) {
                out.extend(literal_after(&text[at + anchor.len()..], skip));
            }
        }
        for (at, _) in text.match_indices("let code = match") {
            let arms = &text[at..];
            let arms = &arms[..arms.find("};").unwrap_or(arms.len())];
            for (arrow, _) in arms.match_indices("=> ") {
                out.extend(literal_after(&arms[arrow + 3..], false));
            }
        }
        for (at, _) in text.match_indices("let code = if") {
            let branches = &text[at..];
            let branches = &branches[..branches.find(';').unwrap_or(branches.len())];
            for (open, _) in branches.match_indices("{ ") {
                out.extend(literal_after(&branches[open + 2..], false));
            }
        }
        out
    }

    fn read_rs(dir: &Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                read_rs(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("wording.rs") {
                out.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    /// Where the first argument of a call ends.
    fn top_level_comma(args: &str) -> Option<usize> {
        let mut depth = 0;
        for (i, c) in args.char_indices() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => return None,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => return Some(i),
                _ => {}
            }
        }
        None
    }

    #[test]
    fn every_code_a_refusal_is_made_with_has_words_in_the_catalog() {
        let known: BTreeSet<&str> = linli_domain::words::problems::codes().collect();
        let mut made = codes_in_sources();
        made.extend(
            ["not_found", "forbidden", "unauthorized", "invalid_field", "invalid_transition", "internal"]
                .map(String::from),
        );
        assert!(made.len() > 100, "the scan found only {} codes; it no longer reads the sources", made.len());
        let missing: Vec<&String> = made.iter().filter(|c| !known.contains(c.as_str())).collect();
        assert!(missing.is_empty(), "codes without words: {missing:?}");
    }
}
