//! `JsonBody<T>`: a JSON request body whose errors name the field at fault. poem-openapi's own `Json` reports
//! a wrong type or a missing field without saying which; this reads the body with a size limit and
//! deserializes it with serde, keeping the path of the value that failed. The OpenAPI schema still comes from
//! `T`'s `Object` derive.

use std::ops::Deref;

use poem::http::StatusCode;
use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// The largest request body accepted, in bytes; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> Deref for JsonBody<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type + DeserializeOwned> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(_request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let bytes = read_limited(body.take()?).await?;
        Ok(Self(parse(&bytes)?))
    }
}

/// How much of an oversized body is still read, and thrown away, before answering 413. A server that answers
/// while the client is still sending and then closes makes the client's TCP stack reset the connection, and
/// the client sees a broken connection instead of the 413; past this much, it does.
const DRAIN_BYTES: usize = 1024 * 1024;

/// The body, if it is at most [`MAX_BODY_BYTES`] long.
async fn read_limited(body: poem::Body) -> Result<Vec<u8>, ApiError> {
    use tokio::io::AsyncReadExt;
    let unreadable = |e: std::io::Error| ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", e.to_string());
    let mut reader = body.into_async_read();
    let mut kept = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let mut seen = 0;
    loop {
        let n = reader.read(&mut chunk).await.map_err(unreadable)?;
        if n == 0 {
            break;
        }
        seen += n;
        if seen <= MAX_BODY_BYTES {
            kept.extend_from_slice(&chunk[..n]);
        } else if seen > MAX_BODY_BYTES + DRAIN_BYTES {
            break;
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than {MAX_BODY_BYTES} bytes"),
        ));
    }
    Ok(kept)
}

/// Deserializes `bytes`, naming the field at fault when it fails.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", "the body is empty; send a JSON object")
            .field("body"));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("the body is not valid JSON: {inner}"),
            )
            .field("body");
        }
        let message = inner.to_string();
        // serde reports a missing field at the object that lacks it; name the field itself.
        let field = match message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next()) {
            Some(missing) if path == "." => missing.to_owned(),
            Some(missing) => format!("{path}.{missing}"),
            None if path == "." => "body".to_owned(),
            None => path,
        };
        let code = if message.starts_with("missing field") { "missing_field" } else { "invalid_field" };
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        ApiError::new(StatusCode::BAD_REQUEST, code, format!("{field}: {message}")).field(field)
    })
}

impl<'a, T: Type + DeserializeOwned> ApiExtractor<'a> for JsonBody<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(ct) if Self::check_content_type(ct) => <Self as ParsePayload>::from_request(request, body).await,
            other => Err(unsupported(other).into()),
        }
    }
}

fn unsupported(content_type: Option<&str>) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!("send the body as application/json (got {})", content_type.unwrap_or("no content type")),
    )
}

/// A JSON body that may be left out altogether: `None` when the request has no body, read as [`JsonBody`]
/// otherwise.
#[derive(Debug)]
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<'a, T: Type + DeserializeOwned> ApiExtractor<'a> for OptionalJsonBody<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <JsonBody<T> as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        let meta = <JsonBody<T> as ApiExtractor>::request_meta()?;
        Some(MetaRequest { required: false, ..meta })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        // Whatever the content type says, nothing sent is no body.
        let bytes = read_limited(body.take()?).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(None));
        }
        match request.content_type() {
            Some(ct) if <JsonBody<T> as Payload>::check_content_type(ct) => Ok(Self(Some(parse(&bytes)?))),
            other => Err(unsupported(other).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        count: i32,
        inner: Option<Inner>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        lat: f64,
    }

    fn field_of(body: &str) -> (String, Option<String>) {
        let err = parse::<Sample>(body.as_bytes()).unwrap_err();
        (err.problem().code.clone(), err.problem().field.clone())
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        assert_eq!(field_of(r#"{"name":"a","count":"three"}"#), ("invalid_field".into(), Some("count".into())));
    }

    #[test]
    fn a_missing_field_names_the_field() {
        assert_eq!(field_of(r#"{"count":3}"#), ("missing_field".into(), Some("name".into())));
    }

    #[test]
    fn a_nested_wrong_type_names_the_path() {
        assert_eq!(
            field_of(r#"{"name":"a","count":3,"inner":{"lat":"x"}}"#),
            ("invalid_field".into(), Some("inner.lat".into()))
        );
    }

    #[test]
    fn broken_json_is_malformed_json() {
        assert_eq!(field_of(r#"{"name": "#), ("malformed_json".into(), Some("body".into())));
        assert_eq!(field_of(""), ("malformed_json".into(), Some("body".into())));
    }
}
