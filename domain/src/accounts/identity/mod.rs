//! Accounts people make and keep themselves: signing up with a mobile number and a texted code, resetting a
//! forgotten password the same way, changing it, refreshing a session, ending every session, staff invited
//! by their organization, and admins disabling an account. The rules live here; the adapters draw the
//! codes and tokens and keep them hashed.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::desk::{AccountDesk, AccountRecord, Accounts, CreateAccountError, NewAccount, Session, SessionKeeper};
use super::{AccountId, Actor, NewPassword, PhoneNumber, Role, Username};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::error::{Denied, DeskError, Invalid, Unexpected};
use crate::notifications::SmsGateway;
use crate::providers::{ProviderId, Providers};
use crate::words::{Lang, Message};

mod model;

pub use model::*;

pub(super) fn display_name(raw: &str) -> Result<String, Invalid> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(Invalid::new("display_name", "invalid_display_name", "a display name has 1 to 50 characters"));
    }
    Ok(name.to_owned())
}

pub(super) fn phone(raw: &str) -> Result<PhoneNumber, Invalid> {
    PhoneNumber::parse(raw).map_err(|e| Invalid::new("phone", "invalid_phone", e))
}

fn password(raw: String, field: &str) -> Result<NewPassword, Invalid> {
    NewPassword::parse(raw).map_err(|e| Invalid::new(field, "invalid_password", e))
}

/// A code as typed: six digits.
fn code_digits(raw: &str) -> Result<&str, Invalid> {
    let raw = raw.trim();
    if raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit()) {
        Ok(raw)
    } else {
        Err(Invalid::new("code", "code_malformed", "a code is the six digits of the text"))
    }
}

/// The username a self-made account gets: its number, which is unique, with a prefix so it is not digits
/// alone (a login of digits is read as a phone number).
fn username_for(phone: &PhoneNumber) -> Username {
    Username::parse(&format!("m{}", phone.as_ref())).expect("m and eleven digits is a valid username")
}

impl<R, S, C, M> AccountDesk<R, S, C, M>
where
    R: Accounts + AccountChanges + VerificationCodes + Invitations + Providers,
    S: SessionKeeper,
    C: Clock,
    M: SmsGateway,
{
    /// Texts a code for signing up or resetting a password. The answer is the same whether or not the number
    /// has an account, so nobody learns who uses Linli: a sign-up code to a number that has one says so in the
    /// text instead, and a reset code to a number without one is not sent at all.
    ///
    /// The text is in the language `asked` (the request's), else the one the number's account chose, else
    /// Chinese.
    pub async fn send_code(
        &self,
        raw_phone: &str,
        purpose: CodePurpose,
        asked: Option<Lang>,
    ) -> Result<DateTime<Utc>, SendCodeError> {
        let phone = phone(raw_phone)?;
        let now = self.clock.now();
        if let Some(last) = self.repo.code(&phone, purpose).await?
            && now < last.sent_at + self.codes.resend_after
        {
            return Err(SendCodeError::TooSoon { retry_after: last.sent_at + self.codes.resend_after - now });
        }
        let expires_at = now + self.codes.lifetime;
        let holder = self.repo.account_by_login(phone.as_ref()).await?;
        let lang = asked.or(holder.as_ref().and_then(|h| h.language)).unwrap_or_default();
        let minutes = self.codes.lifetime.num_minutes();
        let (text, digest) = match (purpose, holder.is_some()) {
            (CodePurpose::SignUp, true) => (Some(Message::NumberTaken), None),
            (CodePurpose::ResetPassword, false) => (None, None),
            _ => {
                let (code, digest) = self.sessions.draw_code()?;
                let text = match purpose {
                    CodePurpose::SignUp => Message::SignUpCode { code, minutes },
                    CodePurpose::ResetPassword => Message::ResetCode { code, minutes },
                };
                (Some(text), Some(digest))
            }
        };
        // A row is kept even when no code went out, so that every number waits the same resend interval.
        self.repo.put_code(&phone, purpose, digest, now, expires_at).await?;
        if let Some(text) = text {
            // A failed text is not the caller's fault, but they must know it did not go: they can ask again
            // after the resend interval.
            self.sms.send(&phone, &text.sms(lang)).await.map_err(|e| Unexpected::new("texting a code", e))?;
        }
        Ok(expires_at)
    }

    /// Checks a code (its six digits already parsed) against the latest one sent, and spends it when it
    /// matches; each use case's own error says what went wrong.
    async fn redeem<E>(&self, phone: &PhoneNumber, purpose: CodePurpose, typed: &str) -> Result<(), E>
    where
        E: From<CodeError> + From<Unexpected>,
    {
        let Some((code, digest)) = self.repo.code(phone, purpose).await?.and_then(|c| c.digest.clone().map(|d| (c, d)))
        else {
            return Err(CodeError::Missing.into());
        };
        if code.spent || self.clock.now() >= code.expires_at {
            return Err(CodeError::Expired.into());
        }
        if code.wrong_tries >= self.codes.max_tries {
            return Err(CodeError::Locked.into());
        }
        if !self.sessions.code_matches(&digest, typed) {
            self.repo.count_wrong_try(code.id).await?;
            let tries_left = self.codes.max_tries - code.wrong_tries - 1;
            return Err(if tries_left == 0 { CodeError::Locked } else { CodeError::Wrong { tries_left } }.into());
        }
        if !self.repo.spend_code(code.id).await? {
            return Err(CodeError::Expired.into());
        }
        Ok(())
    }

    /// A resident or Party member makes their own account with the code texted to their number, and is
    /// signed in.
    pub async fn sign_up(&self, input: SignUpInput) -> Result<Session, SignUpError> {
        let phone = phone(&input.phone)?;
        let display_name = display_name(&input.display_name)?;
        let new_password = password(input.password, "password")?;
        let role = match input.role.as_deref().unwrap_or("resident") {
            "resident" => Role::Resident,
            "party_member" => Role::PartyMember,
            _ => {
                return Err(Invalid::new(
                    "role",
                    "invalid_role",
                    "people sign up as resident or party_member; staff are invited and workers made by admins",
                )
                .into());
            }
        };
        let code = code_digits(&input.code)?;
        if self.repo.account_by_login(phone.as_ref()).await?.is_some() {
            return Err(SignUpError::Taken);
        }
        self.redeem::<SignUpError>(&phone, CodePurpose::SignUp, code).await?;
        let new = NewAccount {
            username: username_for(&phone),
            phone: Some(phone),
            display_name,
            password_hash: self.sessions.hash_password(new_password).await?,
            role,
            provider: None,
            community: None,
            street: None,
            manager: false,
            demo: false,
        };
        let id = match self.repo.create_account(new, None).await {
            Ok(id) => id,
            Err(CreateAccountError::Taken(_)) => return Err(SignUpError::Taken),
            Err(CreateAccountError::Unexpected(u)) => return Err(u.into()),
            Err(other) => return Err(Unexpected::new("creating a signed-up account", other).into()),
        };
        let account = self.stored(id).await?;
        Ok(self.sessions.open(&account, self.clock.now()).await?)
    }

    /// Sets a new password with a code texted to the account's number; every session of the account ends.
    pub async fn reset_password(
        &self,
        raw_phone: &str,
        code: &str,
        new_password: String,
    ) -> Result<(), ResetPasswordError> {
        let phone = phone(raw_phone)?;
        let new_password = password(new_password, "new_password")?;
        let code = code_digits(code)?;
        let account = self.repo.account_by_login(phone.as_ref()).await?;
        self.redeem::<ResetPasswordError>(&phone, CodePurpose::ResetPassword, code).await?;
        // A code is only ever stored for a number with an account, so one was found above.
        let account = account.ok_or(ResetPasswordError::Code(CodeError::Missing))?;
        let hash = self.sessions.hash_password(new_password).await?;
        self.repo.set_password(account.id, hash).await?;
        self.sessions.end_sessions(account.id, None).await?;
        Ok(())
    }

    /// The caller changes their password, knowing the current one; every other session of theirs ends.
    pub async fn change_password(
        &self,
        actor: &Actor,
        token: &str,
        current: &str,
        new_password: String,
    ) -> Result<(), ChangePasswordError> {
        let new_password = password(new_password, "new_password")?;
        let account = self.stored(actor.account).await?;
        if !self.sessions.verify_password(&account.password_hash, current).await? {
            return Err(ChangePasswordError::WrongPassword);
        }
        let hash = self.sessions.hash_password(new_password).await?;
        self.repo.set_password(account.id, hash).await?;
        self.sessions.end_sessions(account.id, Some(token)).await?;
        Ok(())
    }

    /// A fresh access token and refresh token for a refresh token; the old one stops working.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session, RefreshError> {
        self.sessions.refresh(refresh_token, self.clock.now()).await
    }

    /// Ends every session of the caller, on every device.
    pub async fn logout_everywhere(&self, actor: &Actor) -> Result<(), Unexpected> {
        self.sessions.end_sessions(actor.account, None).await
    }

    /// An admin disables an account (its sessions end at once, on every replica) or enables it again. Nobody
    /// disables their own account.
    pub async fn set_disabled(&self, actor: &Actor, account: AccountId, disabled: bool) -> Result<(), DeskError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins disable or enable accounts").into());
        }
        self.write_disabled(actor, account, disabled).await
    }

    /// An admin or one of the organization's managers disables a member of its staff, or enables them again;
    /// anyone who is not its staff does not exist here.
    pub async fn set_staff_disabled(
        &self,
        actor: &Actor,
        provider: ProviderId,
        account: AccountId,
        disabled: bool,
    ) -> Result<(), DeskError> {
        self.may_keep_staff(actor, provider).await?;
        let target = self.repo.account(account).await?;
        if !target.is_some_and(|t| t.role == Role::ProviderStaff && t.provider == Some(provider)) {
            return Err(DeskError::NotFound("account"));
        }
        self.write_disabled(actor, account, disabled).await
    }

    async fn write_disabled(&self, actor: &Actor, account: AccountId, disabled: bool) -> Result<(), DeskError> {
        if account == actor.account && disabled {
            return Err(Denied("nobody disables their own account; another admin or manager can").into());
        }
        let now = self.clock.now();
        let at = disabled.then_some(now);
        let action = if disabled { "account.disabled" } else { "account.enabled" };
        let audit = AuditEntry::new(actor, now, action, format!("account:{}", account.0))
            .before(json!({ "disabled": !disabled }))
            .after(json!({ "disabled": disabled }));
        if !self.repo.set_disabled(account, at, audit).await? {
            return Err(DeskError::NotFound("account"));
        }
        if disabled {
            self.sessions.end_sessions(account, None).await?;
        }
        Ok(())
    }

    /// An admin, or a manager of the organization, invites a member of staff; the account exists at once
    /// and works once the invited person sets a password with the token.
    pub async fn invite_staff(
        &self,
        actor: &Actor,
        provider: ProviderId,
        input: InvitationInput,
    ) -> Result<Invitation, CreateAccountError> {
        let manages = actor.role == Role::ProviderStaff
            && actor.provider == Some(provider)
            && self.repo.account(actor.account).await?.is_some_and(|a| a.manager);
        if actor.role != Role::Admin && !manages {
            return Err(Denied("only admins and the organization's managers invite its staff").into());
        }
        let Some(organization) = self.repo.provider(provider).await? else {
            return Err(CreateAccountError::UnknownReference);
        };
        let username = Username::parse(&input.username).map_err(|e| Invalid::new("username", "invalid_username", e))?;
        let phone = input.phone.as_deref().map(phone).transpose()?;
        let display_name = display_name(&input.display_name)?;
        if self.repo.account_by_login(username.as_ref()).await?.is_some() {
            return Err(CreateAccountError::Taken("username"));
        }
        if let Some(p) = &phone
            && self.repo.account_by_login(p.as_ref()).await?.is_some()
        {
            return Err(CreateAccountError::Taken("phone"));
        }
        let new = NewAccount {
            username,
            phone: phone.clone(),
            display_name,
            // No password works until the invitation is accepted.
            password_hash: String::new(),
            role: Role::ProviderStaff,
            provider: Some(provider),
            community: None,
            street: None,
            manager: input.manager,
            demo: false,
        };
        let (token, digest) = self.sessions.draw_token()?;
        let now = self.clock.now();
        let expires_at = now + INVITATION_LIFETIME;
        let audit = AuditEntry::new(actor, now, "staff.invited", String::new()).after(json!({
            "username": new.username.as_ref(),
            "provider_id": provider.0,
            "manager": new.manager,
        }));
        let account = self.repo.invite(new, digest, expires_at, audit).await?;
        let texted = match &phone {
            // Texted in Chinese: the person invited has no account, so no language of their own yet.
            Some(p) => {
                let (provider, days) = (organization.name.clone(), INVITATION_LIFETIME.num_days());
                let text = Message::Invitation { provider, token: token.clone(), days };
                self.sms.send(p, &text.sms(Lang::ZhCn)).await.is_ok()
            }
            None => false,
        };
        Ok(Invitation { account, token, expires_at, texted })
    }

    /// The invited person sets their password with the invitation's token, and is signed in.
    pub async fn accept_invitation(&self, token: &str, new_password: String) -> Result<Session, AcceptInvitationError> {
        let new_password = password(new_password, "password")?;
        let digest = self.sessions.token_digest(token);
        let Some(invitation) = self.repo.invitation(&digest).await? else {
            return Err(AcceptInvitationError::Unknown);
        };
        let now = self.clock.now();
        if invitation.accepted || now >= invitation.expires_at {
            return Err(AcceptInvitationError::Unknown);
        }
        let hash = self.sessions.hash_password(new_password).await?;
        if !self.repo.accept_invitation(&digest, hash, now).await? {
            return Err(AcceptInvitationError::Unknown);
        }
        let account = self.stored(invitation.account).await?;
        Ok(self.sessions.open(&account, now).await?)
    }

    async fn stored(&self, id: AccountId) -> Result<AccountRecord, Unexpected> {
        self.repo
            .account(id)
            .await?
            .ok_or_else(|| Unexpected::new("reading back an account", std::io::Error::other("it vanished")))
    }
}
