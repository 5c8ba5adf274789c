//! Signing in and out, refreshing a session, changing one's password, and who am I.

use chrono::{DateTime, Utc};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::accounts::{
    AccountRecord, ChangePasswordError, CreateAccountError, EraseError, LoginError, RefreshError, Session,
};

use linli_domain::words::Lang;

use super::ApiTags;
use super::choices::LanguageName;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::limits::{Rule, client_of};
use crate::problem::ApiError;
use crate::problem::problems;
use crate::state::AppState;

pub struct AccountsApi;

#[derive(ApiResponse)]
enum SignedIn {
    /// Signed in: an access token and the refresh token that renews it.
    #[oai(status = 200)]
    Ok(Json<LoginResponse>),
}

#[derive(ApiResponse)]
enum Done {
    /// Done.
    #[oai(status = 204)]
    Done,
}

problems!(
    /// What `POST /auth/login` can answer besides its success.
    LoginProblems: BadRequest, Unauthorized, Forbidden, PayloadTooLarge, UnsupportedMediaType, TooManyRequests
);
problems!(
    /// What `POST /auth/refresh` can answer besides its success.
    RefreshProblems: BadRequest, Unauthorized, PayloadTooLarge, UnsupportedMediaType
);
problems!(
    /// What `POST /auth/logout` and `POST /auth/logout-all` can answer besides their success.
    LogoutProblems: Unauthorized
);
problems!(
    /// What `PUT /me/password` can answer besides its success.
    PasswordProblems: BadRequest, Unauthorized, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `PUT /me/language` can answer besides its success.
    LanguageProblems: BadRequest, Unauthorized, PayloadTooLarge, UnsupportedMediaType
);
problems!(
    /// What `GET /me` and `GET /me/export` can answer besides their success.
    MeProblems: Unauthorized
);
problems!(
    /// What `POST /me/erase` can answer besides its success.
    EraseProblems: BadRequest, Unauthorized, Forbidden, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Accounts")]
impl AccountsApi {
    /// Sign in with a username or mobile number and a password. The access token works for
    /// `LINLI_ACCESS_TTL_MINUTES` (15 by default); renew it with the refresh token at `POST /auth/refresh`.
    /// Anyone may call this; limited per client address and per login.
    #[oai(path = "/auth/login", method = "post")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<LoginRequest>,
    ) -> Result<SignedIn, LoginProblems> {
        state.limits.check(Rule::Login, client_of(req), Some(&body.login.to_lowercase())).await?;
        let session = state.accounts.login(&body.login, &body.password).await.map_err(|e| match e {
            LoginError::BadCredentials => {
                ApiError::new(StatusCode::UNAUTHORIZED, "wrong_credentials", "the login or password is wrong")
            }
            LoginError::Disabled => ApiError::new(StatusCode::FORBIDDEN, "account_disabled", e.to_string()),
            LoginError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        Ok(SignedIn::Ok(Json(session.into())))
    }

    /// Swap a refresh token for a new access token and refresh token; the old refresh token stops working.
    /// A refresh token used a second time ends every session it began (someone holds a copy). Anyone may
    /// call this.
    #[oai(path = "/auth/refresh", method = "post")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        body: JsonBody<RefreshRequest>,
    ) -> Result<SignedIn, RefreshProblems> {
        let session = state.accounts.refresh(&body.refresh_token).await.map_err(|e| match e {
            RefreshError::Unknown => ApiError::new(StatusCode::UNAUTHORIZED, "refresh_token_invalid", e.to_string()),
            RefreshError::Reused => ApiError::new(StatusCode::UNAUTHORIZED, "refresh_token_reused", e.to_string()),
            RefreshError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        Ok(SignedIn::Ok(Json(session.into())))
    }

    /// End this session (its access token and its refresh token). Any signed-in account.
    #[oai(path = "/auth/logout", method = "post")]
    async fn logout(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Done, LogoutProblems> {
        state.accounts.logout(&auth.0.token).await?;
        Ok(Done::Done)
    }

    /// End every session of this account, on every device. Any signed-in account.
    #[oai(path = "/auth/logout-all", method = "post")]
    async fn logout_all(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Done, LogoutProblems> {
        state.accounts.logout_everywhere(&auth.0.actor()).await?;
        Ok(Done::Done)
    }

    /// Change the password, giving the current one; every other session of the account ends. Any signed-in
    /// account.
    #[oai(path = "/me/password", method = "put")]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<ChangePasswordRequest>,
    ) -> Result<Done, PasswordProblems> {
        let body = body.0;
        state
            .accounts
            .change_password(&auth.0.actor(), &auth.0.token, &body.current_password, body.new_password)
            .await
            .map_err(|e| match e {
                ChangePasswordError::WrongPassword => {
                    ApiError::invalid("current_password", "wrong_password", "the current password is wrong")
                }
                ChangePasswordError::Invalid(i) => i.into(),
                ChangePasswordError::Unexpected(u) => ApiError::unexpected(u),
            })?;
        Ok(Done::Done)
    }

    /// Everything Linli holds about the caller, as one JSON document: the account, every order with its
    /// history, messages, registrations, sign-ups, service hours, calendar feed and sessions (never a password
    /// or token digest). Any signed-in account, for itself.
    #[oai(path = "/me/export", method = "get")]
    async fn export(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<serde_json::Value>, MeProblems> {
        Ok(Json(state.accounts.export(&auth.0.actor()).await?))
    }

    /// Delete this account, confirming with the password: the name, number, addresses, notes and messages
    /// go, the orders stay on record with their history, and every session ends. Residents and Party members,
    /// for themselves (other accounts are disabled by an admin).
    #[oai(path = "/me/erase", method = "post")]
    async fn erase(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<EraseRequest>,
    ) -> Result<Done, EraseProblems> {
        state.accounts.erase(&auth.0.actor(), &body.password).await.map_err(|e| match e {
            EraseError::WrongPassword => ApiError::invalid("password", "wrong_password", "the password is wrong"),
            EraseError::Denied(d) => d.into(),
            EraseError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        Ok(Done::Done)
    }

    /// Choose the language Linli tells you things in: inbox messages, reminders and texts, and what it answers
    /// (messages, order histories, explanations, refusals) to requests whose `Accept-Language` names no
    /// language it speaks. Any signed-in account, for itself.
    #[oai(path = "/me/language", method = "put")]
    async fn set_language(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<LanguageRequest>,
    ) -> Result<Done, LanguageProblems> {
        let lang = Lang::parse(body.language.as_str()).expect("the schema offers the domain's words");
        state.accounts.set_language(&auth.0.actor(), lang).await?;
        Ok(Done::Done)
    }

    /// The account behind the token. Any signed-in account.
    #[oai(path = "/me", method = "get")]
    async fn me(&self, auth: BearerAuth) -> Result<Json<AccountView>, MeProblems> {
        Ok(Json(AccountView::from(&auth.0.account)))
    }
}

/// How a failed account creation reads, for admins creating accounts and managers inviting staff.
pub(super) fn account_problem(e: CreateAccountError) -> ApiError {
    match e {
        CreateAccountError::Taken(field) => {
            ApiError::new(StatusCode::CONFLICT, "account_taken", format!("that {field} is taken")).field(field)
        }
        CreateAccountError::UnknownReference => ApiError::invalid("provider_id", "unknown_reference", e),
        CreateAccountError::Denied(d) => d.into(),
        CreateAccountError::Invalid(i) => i.into(),
        CreateAccountError::Unexpected(u) => ApiError::unexpected(u),
    }
}

#[derive(Object, Deserialize)]
pub struct LoginRequest {
    /// Username or mobile number.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub login: String,
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

#[derive(Object, Deserialize)]
pub struct LanguageRequest {
    pub language: LanguageName,
}

#[derive(Object, Deserialize)]
pub struct EraseRequest {
    /// The account's password, to confirm.
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

#[derive(Object, Deserialize)]
pub struct RefreshRequest {
    /// The refresh token from signing in or the last refresh.
    #[oai(validator(max_length = 128))]
    pub refresh_token: String,
}

#[derive(Object, Deserialize)]
pub struct ChangePasswordRequest {
    #[oai(validator(max_length = 1024))]
    pub current_password: String,
    /// 8 to 128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub new_password: String,
}

#[derive(Object)]
pub struct LoginResponse {
    /// The access token: send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    /// Swap at `POST /auth/refresh` for a new pair before `refresh_expires_at`; keep it secret.
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub account: AccountView,
}

impl From<Session> for LoginResponse {
    fn from(s: Session) -> Self {
        Self {
            account: AccountView::from(&s.account),
            token: s.token,
            expires_at: s.expires_at,
            refresh_token: s.refresh_token,
            refresh_expires_at: s.refresh_expires_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AccountView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// Their mobile number, when they gave one.
    pub phone: Option<String>,
    /// `resident`, `provider_staff`, `community_worker`, `party_member` or `admin`.
    pub role: String,
    pub provider_id: Option<Uuid>,
    pub community_id: Option<i32>,
    /// For a street worker: their street, whose communities they look after.
    pub street_id: Option<i32>,
    /// For a street worker: the communities of their street.
    pub street_community_ids: Option<Vec<i32>>,
    /// For provider staff: whether they manage the organization (invite its staff).
    pub manager: bool,
    /// An admin has disabled the account.
    pub disabled: bool,
    /// The language the person chose to be told things in; absent, Chinese.
    pub language: Option<LanguageName>,
}

impl From<&AccountRecord> for AccountView {
    fn from(a: &AccountRecord) -> Self {
        Self {
            id: a.id.0,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            phone: a.phone.clone(),
            role: a.role.as_str().to_owned(),
            provider_id: a.provider.map(|p| p.0),
            community_id: a.community.map(|c| c.0),
            street_id: a.street.as_ref().map(|s| s.street.0),
            street_community_ids: a.street.as_ref().map(|s| s.communities.iter().map(|c| c.0).collect()),
            manager: a.manager,
            disabled: a.disabled,
            language: a.language.map(|l| match l {
                Lang::ZhCn => LanguageName::ZhCn,
                Lang::En => LanguageName::En,
            }),
        }
    }
}
