//! Logging in and out, and who am I.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::accounts::{AccountRecord, LoginError};

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::ApiError;
use crate::problem::problems;
use crate::state::AppState;

pub struct AccountsApi;

#[derive(ApiResponse)]
enum LoginOutcome {
    /// Logged in.
    #[oai(status = 200)]
    Ok(Json<LoginResponse>),
}

#[derive(ApiResponse)]
enum LogoutOutcome {
    /// The token no longer works.
    #[oai(status = 204)]
    LoggedOut,
}

problems!(
    /// What `POST /auth/login` can answer besides its success.
    LoginProblems: BadRequest, Unauthorized, PayloadTooLarge, UnsupportedMediaType
);
problems!(
    /// What `POST /auth/logout` can answer besides its success.
    LogoutProblems: Unauthorized
);
problems!(
    /// What `GET /me` can answer besides its success.
    MeProblems: Unauthorized
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Accounts")]
impl AccountsApi {
    /// Log in with a username or mobile number and a password; returns a bearer token.
    #[oai(path = "/auth/login", method = "post")]
    async fn login(&self, state: Data<&AppState>, body: JsonBody<LoginRequest>) -> Result<LoginOutcome, LoginProblems> {
        let session = state.accounts.login(&body.login, &body.password).await.map_err(|e| match e {
            LoginError::BadCredentials => ApiError::unauthorized("the login or password is wrong"),
            LoginError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        Ok(LoginOutcome::Ok(Json(LoginResponse {
            token: session.token,
            expires_at: session.expires_at,
            account: AccountView::from(&session.account),
        })))
    }

    /// End this session.
    #[oai(path = "/auth/logout", method = "post")]
    async fn logout(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<LogoutOutcome, LogoutProblems> {
        state.accounts.logout(&auth.0.token).await?;
        Ok(LogoutOutcome::LoggedOut)
    }

    /// The account behind the token.
    #[oai(path = "/me", method = "get")]
    async fn me(&self, auth: BearerAuth) -> Result<Json<AccountView>, MeProblems> {
        Ok(Json(AccountView::from(&auth.0.account)))
    }
}

#[derive(Object, Deserialize)]
pub struct LoginRequest {
    /// Username or mobile number.
    pub login: String,
    pub password: String,
}

#[derive(Object)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: AccountView,
}

#[derive(Object)]
pub struct AccountView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// `resident`, `provider_staff`, `community_worker`, `party_member` or `admin`.
    pub role: String,
    pub provider_id: Option<Uuid>,
    pub community_id: Option<i32>,
}

impl From<&AccountRecord> for AccountView {
    fn from(a: &AccountRecord) -> Self {
        Self {
            id: a.id.0,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role.as_str().to_owned(),
            provider_id: a.provider.map(|p| p.0),
            community_id: a.community.map(|c| c.0),
        }
    }
}
