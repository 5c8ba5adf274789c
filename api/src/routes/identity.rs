//! Accounts people make themselves: a code texted to their number, signing up with it, resetting a
//! forgotten password with it; staff invited by their organization and accepting; admins disabling accounts.

use chrono::{DateTime, Utc};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::accounts::{
    AcceptInvitationError, AccountId, CodeError, CodePurpose, InvitationInput, ResetPasswordError, SendCodeError,
    SignUpError, SignUpInput,
};
use linli_domain::providers::ProviderId;
use linli_domain::words::Lang;

use super::ApiTags;
use super::accounts::{LoginResponse, account_problem};
use super::choices::{CodeFor, SignUpRole};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::limits::{Rule, client_of};
use crate::problem::{ApiError, problems};
use crate::state::AppState;

pub struct IdentityApi;

#[derive(ApiResponse)]
enum CodeSent {
    /// Sent, if the number can receive it; the answer is the same for every number.
    #[oai(status = 202)]
    Accepted(Json<CodeReceipt>),
}

#[derive(ApiResponse)]
enum SignedUp {
    /// The account exists and is signed in.
    #[oai(status = 201)]
    Created(Json<LoginResponse>),
}

#[derive(ApiResponse)]
enum Accepted {
    /// The password is set and the account signed in.
    #[oai(status = 200)]
    Ok(Json<LoginResponse>),
}

#[derive(ApiResponse)]
enum Invited {
    /// The account exists; pass the token on (shown only now).
    #[oai(status = 201)]
    Created(Json<InvitationView>),
}

#[derive(ApiResponse)]
enum Done {
    /// Done.
    #[oai(status = 204)]
    Done,
}

problems!(
    /// What `POST /auth/codes` can answer besides its success.
    CodeProblems: BadRequest, PayloadTooLarge, UnsupportedMediaType, Unprocessable, TooManyRequests
);
problems!(
    /// What `POST /auth/sign-up` can answer besides its success.
    SignUpProblems: BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable, TooManyRequests
);
problems!(
    /// What `POST /auth/password-reset` can answer besides its success.
    ResetProblems: BadRequest, PayloadTooLarge, UnsupportedMediaType, Unprocessable, TooManyRequests
);
problems!(
    /// What `POST /auth/invitations/accept` can answer besides its success.
    AcceptProblems: BadRequest, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `POST /providers/{id}/invitations` can answer besides its success.
    InviteProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType,
        Unprocessable
);
problems!(
    /// What disabling or enabling an account can answer besides its success.
    DisableProblems: BadRequest, Unauthorized, Forbidden, NotFound, Unprocessable
);

fn code_problem(e: CodeError) -> ApiError {
    let code = match e {
        CodeError::Missing => "code_missing",
        CodeError::Expired => "code_expired",
        CodeError::Locked => "code_locked",
        CodeError::Wrong { .. } => "code_wrong",
    };
    ApiError::invalid("code", code, e)
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Accounts")]
impl IdentityApi {
    /// Text a six-digit code to a mobile number, for signing up (`sign_up`) or resetting a password
    /// (`reset_password`). A code works for 10 minutes and 5 tries; a number gets one code a minute. Without
    /// an SMS gateway the text goes to the server log and `sms.log` in the data directory. The text is in the
    /// language `Accept-Language` asks for, else the one the number's account chose, else Chinese. Anyone may
    /// call this; limited per client address and per number.
    #[oai(path = "/auth/codes", method = "post")]
    async fn send_code(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<CodeRequest>,
    ) -> Result<CodeSent, CodeProblems> {
        let purpose = CodePurpose::parse(body.purpose.as_str()).expect("the schema offers the domain's words");
        state.limits.check(Rule::SendCode, client_of(req), Some(&body.phone)).await?;
        let asked = Lang::asked(req.header("accept-language"));
        let expires_at = state.accounts.send_code(&body.phone, purpose, asked).await.map_err(|e| match e {
            SendCodeError::TooSoon { retry_after } => ApiError::too_many(
                "code_sent_recently",
                u64::try_from(retry_after.num_seconds()).unwrap_or(1),
                "a code was sent to this number moments ago; wait before asking again",
            ),
            SendCodeError::Invalid(i) => i.into(),
            SendCodeError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        Ok(CodeSent::Accepted(Json(CodeReceipt { expires_at })))
    }

    /// Make a resident's (or, with `role: party_member`, a Party member's) account with the code texted to
    /// the number, a display name and a password, and sign in. A number has one account. Anyone may call
    /// this; limited per client address and per number.
    #[oai(path = "/auth/sign-up", method = "post")]
    async fn sign_up(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<SignUpRequest>,
    ) -> Result<SignedUp, SignUpProblems> {
        state.limits.check(Rule::SignUp, client_of(req), Some(&body.phone)).await?;
        let b = body.0;
        let input = SignUpInput {
            phone: b.phone,
            code: b.code,
            display_name: b.display_name,
            password: b.password,
            role: b.role.map(|r| r.as_str().to_owned()),
        };
        let session = state.accounts.sign_up(input).await.map_err(|e| match e {
            SignUpError::Code(c) => code_problem(c),
            SignUpError::Taken => ApiError::new(StatusCode::CONFLICT, "phone_taken", e.to_string()).field("phone"),
            SignUpError::Invalid(i) => i.into(),
            SignUpError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        Ok(SignedUp::Created(Json(session.into())))
    }

    /// Set a new password with a `reset_password` code texted to the account's number; every session of the
    /// account ends. Anyone may call this; limited per client address and per number.
    #[oai(path = "/auth/password-reset", method = "post")]
    async fn reset_password(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<ResetRequest>,
    ) -> Result<Done, ResetProblems> {
        state.limits.check(Rule::ResetPassword, client_of(req), Some(&body.phone)).await?;
        let b = body.0;
        state.accounts.reset_password(&b.phone, &b.code, b.new_password).await.map_err(|e| match e {
            ResetPasswordError::Code(c) => code_problem(c),
            ResetPasswordError::Invalid(i) => i.into(),
            ResetPasswordError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        Ok(Done::Done)
    }

    /// Set the password of an invited staff account with its invitation token, and sign in. Anyone holding
    /// the token may call this.
    #[oai(path = "/auth/invitations/accept", method = "post")]
    async fn accept_invitation(
        &self,
        state: Data<&AppState>,
        body: JsonBody<AcceptRequest>,
    ) -> Result<Accepted, AcceptProblems> {
        let b = body.0;
        let session = state.accounts.accept_invitation(&b.token, b.password).await.map_err(|e| match e {
            AcceptInvitationError::Unknown => ApiError::invalid("token", "invitation_invalid", e),
            AcceptInvitationError::Invalid(i) => i.into(),
            AcceptInvitationError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        Ok(Accepted::Ok(Json(session.into())))
    }

    /// Invite a member of staff to an organization: the account is made without a password, and the token
    /// (texted to them when a phone is given) lets them set one within 7 days. Admins, and managers of that
    /// organization.
    #[oai(path = "/providers/:id/invitations", method = "post")]
    async fn invite(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<InviteRequest>,
    ) -> Result<Invited, InviteProblems> {
        let b = body.0;
        let input =
            InvitationInput { username: b.username, display_name: b.display_name, phone: b.phone, manager: b.manager };
        let sent =
            state.accounts.invite_staff(&auth.0.actor(), ProviderId(id.0), input).await.map_err(|e| match e {
                linli_domain::accounts::CreateAccountError::UnknownReference => ApiError::not_found("provider"),
                other => account_problem(other),
            })?;
        Ok(Invited::Created(Json(InvitationView {
            account_id: sent.account.0,
            token: sent.token,
            expires_at: sent.expires_at,
            texted: sent.texted,
        })))
    }

    /// Disable an account: nobody can sign in to it, and its sessions end at once on every replica. Admins.
    #[oai(path = "/admin/accounts/:id/disable", method = "post")]
    async fn disable(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> Result<Done, DisableProblems> {
        state.accounts.set_disabled(&auth.0.actor(), AccountId(id.0), true).await?;
        Ok(Done::Done)
    }

    /// Enable a disabled account again. Admins.
    #[oai(path = "/admin/accounts/:id/enable", method = "post")]
    async fn enable(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> Result<Done, DisableProblems> {
        state.accounts.set_disabled(&auth.0.actor(), AccountId(id.0), false).await?;
        Ok(Done::Done)
    }
}

#[derive(Object, Deserialize)]
pub struct CodeRequest {
    /// A mainland mobile number (11 digits, optionally after +86).
    #[oai(validator(pattern = r"^(\+86)?1[3-9][0-9]{9}$"))]
    pub phone: String,
    pub purpose: CodeFor,
}

#[derive(Object)]
pub struct CodeReceipt {
    /// Until when the code works.
    pub expires_at: DateTime<Utc>,
}

#[derive(Object, Deserialize)]
pub struct SignUpRequest {
    #[oai(validator(pattern = r"^(\+86)?1[3-9][0-9]{9}$"))]
    pub phone: String,
    /// The six digits of the text.
    #[oai(validator(min_length = 6, max_length = 6, pattern = r"^[0-9]{6}$"))]
    pub code: String,
    /// 1 to 50 characters: how providers and workers address you.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub display_name: String,
    /// 8 to 128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: String,
    /// `resident` when absent.
    pub role: Option<SignUpRole>,
}

#[derive(Object, Deserialize)]
pub struct ResetRequest {
    #[oai(validator(pattern = r"^(\+86)?1[3-9][0-9]{9}$"))]
    pub phone: String,
    #[oai(validator(min_length = 6, max_length = 6, pattern = r"^[0-9]{6}$"))]
    pub code: String,
    #[oai(validator(min_length = 8, max_length = 128))]
    pub new_password: String,
}

#[derive(Object, Deserialize)]
pub struct AcceptRequest {
    #[oai(validator(max_length = 128))]
    pub token: String,
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: String,
}

#[derive(Object, Deserialize)]
pub struct InviteRequest {
    /// 3 to 32 characters of a-z, 0-9, '.', '_' or '-'.
    #[oai(validator(pattern = r"^[a-z0-9._-]{3,32}$"))]
    pub username: String,
    #[oai(validator(min_length = 1, max_length = 50))]
    pub display_name: String,
    /// Their mobile number: the invitation is texted to it.
    #[oai(validator(pattern = r"^(\+86)?1[3-9][0-9]{9}$"))]
    pub phone: Option<String>,
    /// Whether they manage the organization too (may invite staff).
    #[serde(default)]
    #[oai(default)]
    pub manager: bool,
}

#[derive(Object)]
pub struct InvitationView {
    pub account_id: Uuid,
    /// Pass on to the invited person; it is shown only now.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    /// Whether it was also texted to them.
    pub texted: bool,
}
