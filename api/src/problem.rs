//! Errors as `application/problem+json` (RFC 9457) with a stable `code`, and the one place where framework
//! errors (unknown route, unparsable parameter, missing token) and domain errors become such problems.
//!
//! A little over our usual 400 lines on purpose: the `problems!` macro that gives each operation its own
//! response enum, and the check that an operation never answers a status it does not declare, must sit beside
//! the one mapping from errors to statuses they both rely on.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use chrono::{DateTime, Utc};
use linli_domain::dispatch::Slot;
use linli_domain::error::{Denied, DeskError, Invalid, Unexpected};
use linli_domain::orders::OrderState;

/// What went wrong, for a person (`title`, `detail`) and for a program (`code`, `field`).
#[derive(Object, Clone, Debug, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct Problem {
    /// A URI naming the kind of problem.
    pub r#type: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code, e.g. `invalid_field`, `invalid_transition`.
    pub code: String,
    pub detail: String,
    /// The request field, parameter or header at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `invalid_transition`: the order's state now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// For 429: seconds to wait before trying again, as the `Retry-After` header also says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// For `slot_full`: the open times nearest the one asked for, earliest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<Vec<OpenTime>>,
    /// For `slots_full`: each date whose time is fully booked, with the open times nearest it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_dates: Option<Vec<FullDate>>,
}

/// A date of a care plan whose time is fully booked.
#[derive(Object, Clone, Debug, serde::Serialize)]
pub struct FullDate {
    pub date: chrono::NaiveDate,
    /// The open times nearest the plan's time that day, earliest first.
    pub alternatives: Vec<OpenTime>,
}

/// A time an item can be booked at, and how many more bookings it can take.
#[derive(Object, Clone, Debug, serde::Serialize)]
pub struct OpenTime {
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// Places left: how many more bookings the providers can take then.
    pub free: u32,
}

impl From<Slot> for OpenTime {
    fn from(s: Slot) -> Self {
        Self { window_start: s.window.start(), window_end: s.window.end(), free: s.free }
    }
}

/// Every error response the API gives.
#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// The request is malformed: bad JSON, a wrong type, a missing field or parameter.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Box<Problem>>),
    /// No valid bearer token.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Box<Problem>>),
    /// The caller's role may not do this.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Box<Problem>>),
    /// Nothing there, or nothing the caller may see.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Box<Problem>>),
    /// The resource is not in a state that allows this.
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Box<Problem>>),
    /// The body is larger than the server accepts.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Box<Problem>>),
    /// The body is not JSON.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Box<Problem>>),
    /// Well-formed, but a value breaks a rule (a window in the past, an unknown item).
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Box<Problem>>),
    /// Too many tries in too short a time; `Retry-After` says when to try again.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Box<Problem>>),
    /// Something failed on our side; the log has the details.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Box<Problem>>),
    /// The database or queue cannot be reached right now; retry later.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Box<Problem>>),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        // A code without words reads in English to a Chinese reader: every test that meets one fails here.
        debug_assert!(
            linli_domain::words::problems::knows(code),
            "the problem code {code} has no words in the catalog"
        );
        let problem = Problem {
            r#type: format!("https://linli.example/problems/{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            code: code.to_owned(),
            detail: detail.into(),
            field: None,
            current_state: None,
            retry_after: None,
            alternatives: None,
            full_dates: None,
        };
        Self::from_problem(problem)
    }

    fn from_problem(p: Problem) -> Self {
        let body = Json(Box::new(p));
        match body.0.status {
            400 => Self::BadRequest(body),
            401 => Self::Unauthorized(body),
            403 => Self::Forbidden(body),
            404 => Self::NotFound(body),
            409 => Self::Conflict(body),
            413 => Self::PayloadTooLarge(body),
            415 => Self::UnsupportedMediaType(body),
            422 => Self::Unprocessable(body),
            429 => Self::TooManyRequests(body),
            503 => Self::Unavailable(body),
            _ => Self::Internal(body),
        }
    }

    pub fn problem(&self) -> &Problem {
        match self {
            Self::BadRequest(p)
            | Self::Unauthorized(p)
            | Self::Forbidden(p)
            | Self::NotFound(p)
            | Self::Conflict(p)
            | Self::PayloadTooLarge(p)
            | Self::UnsupportedMediaType(p)
            | Self::Unprocessable(p)
            | Self::TooManyRequests(p)
            | Self::Internal(p)
            | Self::Unavailable(p) => p.0.as_ref(),
        }
    }

    pub(crate) fn map_problem(self, f: impl FnOnce(&mut Problem)) -> Self {
        let mut p = self.problem().clone();
        f(&mut p);
        Self::from_problem(p)
    }

    /// Says what state the thing acted on is in, for a conflict.
    pub fn map_current(self, state: &str) -> Self {
        let state = state.to_owned();
        self.map_problem(|p| p.current_state = Some(state))
    }

    /// Names the request field at fault.
    pub fn field(self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.map_problem(|p| p.field = Some(field))
    }

    /// A value that breaks a rule: 422 naming the field.
    pub fn invalid(field: &str, code: &str, detail: impl ToString) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail.to_string()).field(field)
    }

    /// A malformed request: 400 naming the field.
    pub fn malformed(field: &str, detail: impl ToString) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_field", detail.to_string()).field(field)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("no such {what}"))
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    /// 429, asking to wait `seconds` (at least one) before trying again.
    pub fn too_many(code: &str, seconds: u64, detail: impl Into<String>) -> Self {
        let seconds = seconds.max(1);
        Self::new(StatusCode::TOO_MANY_REQUESTS, code, detail).map_problem(|p| p.retry_after = Some(seconds))
    }

    /// A transition the state machine forbids: 409 with the order's current state.
    pub fn invalid_transition(current: OrderState, detail: impl Into<String>) -> Self {
        let state = current.as_str().to_owned();
        Self::new(StatusCode::CONFLICT, "invalid_transition", detail).map_problem(|p| p.current_state = Some(state))
    }

    /// Logs the failure with its context and answers without it: 503 when a backing service is down, else 500.
    pub fn unexpected(e: Unexpected) -> Self {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "a backing service is unavailable");
            Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "a backing service is unavailable; retry shortly")
        } else {
            tracing::error!(error = %e, "request failed");
            Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side")
        }
    }
}

impl From<Invalid> for ApiError {
    /// 400 for a malformed value, 422 for one that breaks a rule; either way naming the field.
    fn from(e: Invalid) -> Self {
        let status =
            if e.code == Invalid::MALFORMED { StatusCode::BAD_REQUEST } else { StatusCode::UNPROCESSABLE_ENTITY };
        Self::new(status, e.code, e.detail).field(e.field)
    }
}

impl From<DeskError> for ApiError {
    fn from(e: DeskError) -> Self {
        match e {
            DeskError::NotFound(what) => Self::not_found(what),
            DeskError::Denied(d) => d.into(),
            DeskError::Invalid(i) => i.into(),
            DeskError::Unexpected(u) => Self::unexpected(u),
        }
    }
}

impl From<Denied> for ApiError {
    fn from(e: Denied) -> Self {
        Self::forbidden(e.0)
    }
}

impl From<Unexpected> for ApiError {
    fn from(e: Unexpected) -> Self {
        Self::unexpected(e)
    }
}

/// The last stop for every error the handlers did not shape themselves: unknown routes, wrong methods,
/// parameters that do not parse, missing tokens. Problems made by handlers pass through unchanged.
pub async fn render_error(err: poem::Error) -> Response {
    use poem_openapi::error::{
        AuthorizationError, ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError,
    };
    if err.is_from_response() {
        return err.into_response();
    }
    let problem = if let Some(e) = err.downcast_ref::<ParsePathError>() {
        // poem-openapi names path parameters `param0`, `param1`… internally. Every route's first (for most,
        // only) typed path parameter is `id` in the spec; the one route with a second parses that itself.
        ApiError::malformed(if e.name.starts_with("param") { "id" } else { e.name }, &e.reason)
    } else if let Some(e) = err.downcast_ref::<ParseParamError>() {
        ApiError::malformed(e.name, &e.reason)
    } else if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", &e.reason).field("body")
    } else if err.is::<AuthorizationError>() {
        ApiError::unauthorized("send a bearer token from POST /api/v1/auth/login in the Authorization header")
    } else if let Some(e) = err.downcast_ref::<ContentTypeError>() {
        ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", e.to_string())
    } else {
        let status = err.status();
        let code = match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            s if s.is_server_error() => "internal",
            _ => "bad_request",
        };
        if status.is_server_error() {
            tracing::error!(error = %err, "request failed");
        }
        let detail =
            if status.is_server_error() { "something went wrong on our side".to_owned() } else { err.to_string() };
        let p = ApiError::new(status, code, detail).problem().clone();
        return poem::web::Json(p).with_status(status).with_content_type("application/problem+json").into_response();
    };
    problem.into_response()
}

/// Declares the error responses one operation can give: a poem-openapi response enum with a variant for each
/// status named (each an `application/problem+json` body), plus 500 and 503, which any operation can answer.
/// `?` turns any error that becomes an [`ApiError`] into it. A status the operation did not declare is a bug:
/// it is logged, fails debug builds, and answers 500, so the spec never lies about what a client can get.
///
/// `problems!(SignUpProblems: Unauthorized, NotFound, Conflict);`
macro_rules! problems {
    ($(#[$doc:meta])* $name:ident: $($status:ident),* $(,)?) => {
        problems!(@munch $(#[$doc])* $name [] $($status)*);
    };
    (@munch $(#[$doc:meta])* $name:ident [$($done:tt)*] BadRequest $($rest:ident)*) => {
        problems!(@munch $(#[$doc])* $name [$($done)*
            /// The request is malformed: bad JSON, a wrong type, a missing field or parameter.
            #[oai(status = 400, content_type = "application/problem+json")]
            BadRequest(poem_openapi::payload::Json<Box<$crate::problem::Problem>>),
        ] $($rest)*);
    };
    (@munch $(#[$doc:meta])* $name:ident [$($done:tt)*] Unauthorized $($rest:ident)*) => {
        problems!(@munch $(#[$doc])* $name [$($done)*
            /// No valid bearer token.
            #[oai(status = 401, content_type = "application/problem+json")]
            Unauthorized(poem_openapi::payload::Json<Box<$crate::problem::Problem>>),
        ] $($rest)*);
    };
    (@munch $(#[$doc:meta])* $name:ident [$($done:tt)*] Forbidden $($rest:ident)*) => {
        problems!(@munch $(#[$doc])* $name [$($done)*
            /// The caller may not do this.
            #[oai(status = 403, content_type = "application/problem+json")]
            Forbidden(poem_openapi::payload::Json<Box<$crate::problem::Problem>>),
        ] $($rest)*);
    };
    (@munch $(#[$doc:meta])* $name:ident [$($done:tt)*] NotFound $($rest:ident)*) => {
        problems!(@munch $(#[$doc])* $name [$($done)*
            /// Nothing there, or nothing the caller may see.
            #[oai(status = 404, content_type = "application/problem+json")]
            NotFound(poem_openapi::payload::Json<Box<$crate::problem::Problem>>),
        ] $($rest)*);
    };
    (@munch $(#[$doc:meta])* $name:ident [$($done:tt)*] Conflict $($rest:ident)*) => {
        problems!(@munch $(#[$doc])* $name [$($done)*
            /// The resource is not in a state that allows this.
            #[oai(status = 409, content_type = "application/problem+json")]
            Conflict(poem_openapi::payload::Json<Box<$crate::problem::Problem>>),
        ] $($rest)*);
    };
    (@munch $(#[$doc:meta])* $name:ident [$($done:tt)*] PayloadTooLarge $($rest:ident)*) => {
        problems!(@munch $(#[$doc])* $name [$($done)*
            /// The body is larger than the server accepts.
            #[oai(status = 413, content_type = "application/problem+json")]
            PayloadTooLarge(poem_openapi::payload::Json<Box<$crate::problem::Problem>>),
        ] $($rest)*);
    };
    (@munch $(#[$doc:meta])* $name:ident [$($done:tt)*] UnsupportedMediaType $($rest:ident)*) => {
        problems!(@munch $(#[$doc])* $name [$($done)*
            /// The body is not JSON.
            #[oai(status = 415, content_type = "application/problem+json")]
            UnsupportedMediaType(poem_openapi::payload::Json<Box<$crate::problem::Problem>>),
        ] $($rest)*);
    };
    (@munch $(#[$doc:meta])* $name:ident [$($done:tt)*] Unprocessable $($rest:ident)*) => {
        problems!(@munch $(#[$doc])* $name [$($done)*
            /// Well-formed, but a value breaks a rule; the problem names the field.
            #[oai(status = 422, content_type = "application/problem+json")]
            Unprocessable(poem_openapi::payload::Json<Box<$crate::problem::Problem>>),
        ] $($rest)*);
    };
    (@munch $(#[$doc:meta])* $name:ident [$($done:tt)*] TooManyRequests $($rest:ident)*) => {
        problems!(@munch $(#[$doc])* $name [$($done)*
            /// Too many tries in too short a time; the `Retry-After` header and `retry_after` say when to try
            /// again.
            #[oai(status = 429, content_type = "application/problem+json")]
            TooManyRequests(poem_openapi::payload::Json<Box<$crate::problem::Problem>>),
        ] $($rest)*);
    };
    (@munch $(#[$doc:meta])* $name:ident [$($done:tt)*]) => {
        $(#[$doc])*
        #[derive(poem_openapi::ApiResponse, Debug)]
        pub enum $name {
            $($done)*
            /// Something failed on our side; the log has the details.
            #[oai(status = 500, content_type = "application/problem+json")]
            Internal(poem_openapi::payload::Json<Box<$crate::problem::Problem>>),
            /// The database or queue cannot be reached right now; retry later.
            #[oai(status = 503, content_type = "application/problem+json")]
            Unavailable(poem_openapi::payload::Json<Box<$crate::problem::Problem>>),
        }

        impl<E: Into<$crate::problem::ApiError>> From<E> for $name {
            fn from(e: E) -> Self {
                let e: $crate::problem::ApiError = e.into();
                let status = e.problem().status;
                let body = poem_openapi::payload::Json(Box::new(e.problem().clone()));
                problems!(@route $name status body [$($done)*])
            }
        }
    };
    (@route $name:ident $status:ident $body:ident [$($(#[$attr:meta])* $variant:ident($ty:ty),)*]) => {
        match $status {
            $(s if s == $crate::problem::status_of(stringify!($variant)) => $name::$variant($body),)*
            503 => $name::Unavailable($body),
            500 => $name::Internal($body),
            other => $name::Internal($crate::problem::undeclared(stringify!($name), other)),
        }
    };
}
pub(crate) use problems;

/// The status of a response variant that [`problems!`] declares.
pub(crate) fn status_of(variant: &str) -> u16 {
    match variant {
        "BadRequest" => 400,
        "Unauthorized" => 401,
        "Forbidden" => 403,
        "NotFound" => 404,
        "Conflict" => 409,
        "PayloadTooLarge" => 413,
        "UnsupportedMediaType" => 415,
        "Unprocessable" => 422,
        "TooManyRequests" => 429,
        _ => 500,
    }
}

/// An operation answered a status it does not declare: a bug in the handler or its list of statuses. Debug
/// builds (and so every test) stop here; a release build logs it and answers 500.
pub(crate) fn undeclared(operation: &str, status: u16) -> Json<Box<Problem>> {
    tracing::error!(operation, status, "an operation answered a status its responses do not declare");
    debug_assert!(false, "{operation} answered {status}, which it does not declare");
    let internal = ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side");
    Json(Box::new(internal.problem().clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    problems!(
        /// An operation that can only miss.
        LookupProblems: NotFound
    );

    #[test]
    fn a_declared_status_becomes_its_own_variant() {
        assert!(matches!(LookupProblems::from(ApiError::not_found("shift")), LookupProblems::NotFound(_)));
        let down = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "retry");
        assert!(matches!(LookupProblems::from(down), LookupProblems::Unavailable(_)));
    }

    #[test]
    #[should_panic(expected = "does not declare")]
    fn a_status_the_operation_does_not_declare_fails_a_debug_build() {
        let _ = LookupProblems::from(ApiError::forbidden("not yours"));
    }
}
