//! 全科受理: the residents a community worker files orders for. A worker finds a resident by their mobile or
//! landline number, or by name; or, for someone with no app, makes a record on the spot: an account without a
//! password (they can set one later by resetting it with their mobile) with where they live and how they are
//! reached. Workers of any community may do either, since any community takes any resident's request (全市通办).

use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::desk::{AccountDesk, Accounts, CreateAccountError, NewAccount};
use super::identity;
use super::{AccountId, Actor, PhoneNumber, Role, Username};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::error::{Denied, DeskError, Invalid, Unexpected};
use crate::geo::{CommunityId, Geography};

/// The most residents one search answers: a worker who needs more should type more of the name.
pub const MAX_FOUND: u64 = 20;

/// A fixed-line number, stored as its 7 to 12 digits: a local number, or one with its area code (024-2345678).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Landline(String);

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("a landline is 7 or 8 digits, optionally after an area code starting with 0 (024-23456789)")]
pub struct LandlineError;

impl Landline {
    pub fn parse(raw: &str) -> Result<Self, LandlineError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
        let local = |d: &str| (7..=8).contains(&d.len()) && !d.starts_with(['0', '1']);
        let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        // An area code is 0 and two or three digits (010, 024, 0411); the local number follows it.
        let with_area = digits.starts_with('0') && [3, 4].iter().any(|n| digits.len() > *n && local(&digits[*n..]));
        if all_digits && (local(&digits) || with_area) { Ok(Self(digits)) } else { Err(LandlineError) }
    }

    /// The number with all but its first three and last four digits hidden (024****5678), or for a local
    /// number all but the last four.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        let head = if n > 8 { &self.0[..3] } else { "" };
        format!("{head}{}{}", "*".repeat(n - head.len() - 4), &self.0[n - 4..])
    }
}

impl AsRef<str> for Landline {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A resident as a worker finds them.
#[derive(Clone, Debug, PartialEq)]
pub struct ResidentRecord {
    pub id: AccountId,
    pub name: String,
    pub phone: Option<PhoneNumber>,
    pub landline: Option<Landline>,
    /// Where they live, as the worker who made their record wrote it, else as their account says, when it
    /// does.
    pub community: Option<CommunityId>,
    /// The street address and door, from the same record.
    pub address: Option<String>,
    /// Whether they sign in to Linli themselves (their account has a password).
    pub signs_in: bool,
}

/// What a worker searches by, read from what they typed: a mobile, a landline, or part of a name.
#[derive(Clone, Debug, PartialEq)]
pub enum ResidentQuery {
    Mobile(PhoneNumber),
    Landline(Landline),
    Name(String),
}

impl ResidentQuery {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = raw.trim();
        if let Ok(mobile) = PhoneNumber::parse(text) {
            return Ok(Self::Mobile(mobile));
        }
        if let Ok(landline) = Landline::parse(text) {
            return Ok(Self::Landline(landline));
        }
        let chars = text.chars().count();
        if text.chars().any(|c| c.is_ascii_digit()) || !(1..=20).contains(&chars) {
            return Err(Invalid::new(
                "q",
                "invalid_resident_query",
                "search by a whole mobile or landline number, or by 1 to 20 characters of a name",
            ));
        }
        Ok(Self::Name(text.to_owned()))
    }
}

/// A record as a worker fills it in.
#[derive(Clone, Debug, Default)]
pub struct ResidentInput {
    pub name: String,
    pub phone: Option<String>,
    pub landline: Option<String>,
    pub community: i32,
    pub address: Option<String>,
}

/// What the store keeps beside the account.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordDetails {
    pub community: CommunityId,
    pub address: Option<String>,
    pub landline: Option<Landline>,
    pub filed_by: AccountId,
}

impl ResidentInput {
    fn parse(self, filed_by: AccountId) -> Result<(String, Option<PhoneNumber>, RecordDetails), Invalid> {
        let name = identity::display_name(&self.name)?;
        let given = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let phone = given(self.phone).as_deref().map(identity::phone).transpose()?;
        let landline = given(self.landline)
            .map(|l| Landline::parse(&l))
            .transpose()
            .map_err(|e| Invalid::new("landline", "invalid_landline", e))?;
        let address = given(self.address);
        if address.as_ref().is_some_and(|a| a.chars().count() > 200) {
            return Err(Invalid::new("address", "invalid_address", "an address has at most 200 characters"));
        }
        Ok((name, phone, RecordDetails { community: CommunityId(self.community), address, landline, filed_by }))
    }
}

/// Residents as workers look them up, and the records workers make.
pub trait ResidentRecords: Clone + Send + Sync + 'static {
    /// Residents (not erased) matching the query, by name, at most `limit`.
    fn find_residents(
        &self,
        query: &ResidentQuery,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<ResidentRecord>, Unexpected>> + Send;

    /// The resident with this id, with their record when they have one; none when the account is not a
    /// resident's.
    fn resident(&self, id: AccountId) -> impl Future<Output = Result<Option<ResidentRecord>, Unexpected>> + Send;

    /// Creates the account and its record with the audit entry, in one transaction. A mobile already in use is
    /// `Taken("phone")`.
    fn file_resident(
        &self,
        account: NewAccount,
        record: RecordDetails,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<AccountId, CreateAccountError>> + Send;
}

fn may_file(actor: &Actor) -> Result<(), Denied> {
    match actor.role {
        Role::CommunityWorker | Role::Admin => Ok(()),
        _ => Err(Denied("only community workers and admins look up and file for residents")),
    }
}

impl<R, S, C: Clock, M> AccountDesk<R, S, C, M>
where
    R: Accounts + ResidentRecords + Geography,
{
    /// Residents anywhere in the city matching a number or part of a name, for a worker taking a request.
    pub async fn find_residents(&self, actor: &Actor, raw: &str) -> Result<Vec<ResidentRecord>, DeskError> {
        may_file(actor)?;
        let query = ResidentQuery::parse(raw)?;
        Ok(self.repo.find_residents(&query, MAX_FOUND).await?)
    }

    /// One resident, for a worker filing for them.
    pub async fn resident(&self, actor: &Actor, id: AccountId) -> Result<ResidentRecord, DeskError> {
        may_file(actor)?;
        self.repo.resident(id).await?.ok_or(DeskError::NotFound("resident"))
    }

    /// A worker makes a record for a resident with no account: a name, where they live, and a mobile or a
    /// landline when they have one. A mobile already in use is refused, naming the field, so that the worker
    /// looks that resident up instead.
    pub async fn file_resident(
        &self,
        actor: &Actor,
        input: ResidentInput,
    ) -> Result<ResidentRecord, CreateAccountError> {
        may_file(actor)?;
        let (name, phone, record) = input.parse(actor.account)?;
        if self.repo.community(record.community).await?.is_none() {
            return Err(Invalid::new("community_id", "unknown_community", "no community has that id").into());
        }
        if let Some(p) = &phone
            && self.repo.account_by_login(p.as_ref()).await?.is_some()
        {
            return Err(CreateAccountError::Taken("phone"));
        }
        let username = match &phone {
            // The name a sign-up with this number would have had.
            Some(p) => format!("m{}", p.as_ref()),
            None => format!("r-{}", &Uuid::now_v7().simple().to_string()[20..]),
        };
        let account = NewAccount {
            username: Username::parse(&username).map_err(|e| Unexpected::new("naming a resident's account", e))?,
            phone,
            display_name: name,
            // No password: nobody signs in to it until the resident sets one with a code texted to their mobile.
            password_hash: String::new(),
            role: Role::Resident,
            provider: None,
            community: None,
            street: None,
            manager: false,
            demo: false,
        };
        let now = self.clock.now();
        let audit = AuditEntry::new(actor, now, "resident.filed", String::new()).after(json!({
            "community_id": record.community.0,
            "has_phone": account.phone.is_some(),
            "has_landline": record.landline.is_some(),
        }));
        let id = self.repo.file_resident(account, record, now, audit).await?;
        let filed = self.repo.resident(id).await?;
        filed.ok_or_else(|| Unexpected::new("reading back a resident", std::io::Error::other("it vanished")).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_landline_is_read_with_or_without_its_area_code_and_dash() {
        assert_eq!(Landline::parse("024-2345 6789").unwrap().as_ref(), "02423456789");
        assert_eq!(Landline::parse("0411-8765432").unwrap().as_ref(), "04118765432");
        assert_eq!(Landline::parse("23456789").unwrap().as_ref(), "23456789");
        for bad in ["", "123", "024-123", "13800241234", "0123456789012", "abcdefgh", "12345678"] {
            assert_eq!(Landline::parse(bad), Err(LandlineError), "{bad}");
        }
    }

    #[test]
    fn a_masked_landline_shows_the_area_code_and_the_last_four_digits() {
        assert_eq!(Landline::parse("024-23456789").unwrap().masked(), "024****6789");
        assert_eq!(Landline::parse("2345678").unwrap().masked(), "***5678");
    }

    #[test]
    fn a_search_is_a_mobile_a_landline_or_part_of_a_name() {
        assert!(matches!(ResidentQuery::parse(" 138-0024-1234 "), Ok(ResidentQuery::Mobile(_))));
        assert!(matches!(ResidentQuery::parse("024-23456789"), Ok(ResidentQuery::Landline(_))));
        assert_eq!(ResidentQuery::parse("王秀"), Ok(ResidentQuery::Name("王秀".into())));
        for bad in ["", "  ", "1380024", "王秀兰13800"] {
            assert_eq!(ResidentQuery::parse(bad).unwrap_err().field, "q", "{bad}");
        }
    }
}
