//! Bearer-token authentication for the OpenAPI operations, and the role checks handlers make with it.

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use linli_domain::accounts::{AccountRecord, Actor, Role};

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// A token from `POST /api/v1/auth/login`, sent as `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "opaque", checker = "check_bearer")]
pub struct BearerAuth(pub Caller);

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct Caller {
    pub account: AccountRecord,
    pub token: String,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        self.account.actor()
    }

    /// Lets the request through only for one of `roles`.
    pub fn require(&self, roles: &[Role]) -> ApiResult<Actor> {
        if roles.contains(&self.account.role) {
            Ok(self.actor())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::forbidden(format!("this needs the role {}", names.join(" or "))))
        }
    }
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    let state = req.data::<AppState>().ok_or_else(|| ApiError::unexpected(missing_state()))?;
    match state.accounts.resolve(&bearer.token).await {
        Ok(Some(account)) => Ok(Caller { account, token: bearer.token }),
        Ok(None) => Err(ApiError::unauthorized("the token is unknown or has expired; log in again").into()),
        Err(e) => Err(ApiError::unexpected(e).into()),
    }
}

fn missing_state() -> linli_domain::error::Unexpected {
    linli_domain::error::Unexpected::new(
        "authenticating",
        std::io::Error::other("the application state is not attached"),
    )
}
