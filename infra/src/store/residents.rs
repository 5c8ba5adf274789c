//! Residents as community workers look them up, and the records (`resident_records`) they keep of those who
//! have no app: the account and its record are written in one transaction with the audit entry.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use linli_domain::accounts::{
    AccountId, CreateAccountError, Landline, NewAccount, PhoneNumber, RecordDetails, ResidentQuery, ResidentRecord,
    ResidentRecords, Role,
};
use linli_domain::audit::AuditEntry;
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;

use super::Store;
use super::accounts::{create_error, new_row};
use crate::db::DbContext;
use crate::entities::{account, resident_record};

impl ResidentRecords for Store {
    async fn find_residents(&self, query: &ResidentQuery, limit: u64) -> Result<Vec<ResidentRecord>, Unexpected> {
        let what = "finding residents";
        let residents = account::Entity::find()
            .filter(account::Column::Role.eq(Role::Resident.as_str()))
            .filter(account::Column::ErasedAt.is_null());
        let accounts = match query {
            ResidentQuery::Mobile(p) => residents.filter(account::Column::Phone.eq(p.as_ref())),
            ResidentQuery::Name(n) => {
                residents.filter(super::convert::containing(account::Column::DisplayName, n.as_str()))
            }
            ResidentQuery::Landline(l) => {
                let holders = sea_orm::sea_query::Query::select()
                    .column(resident_record::Column::AccountId)
                    .from(resident_record::Entity)
                    .and_where(resident_record::Column::Landline.eq(l.as_ref()))
                    .to_owned();
                residents.filter(account::Column::Id.in_subquery(holders))
            }
        };
        let rows = accounts
            .order_by_asc(account::Column::DisplayName)
            .order_by_asc(account::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .context(what)?;
        let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
        let records: HashMap<Uuid, resident_record::Model> = resident_record::Entity::find()
            .filter(resident_record::Column::AccountId.is_in(ids))
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|r| (r.account_id, r))
            .collect();
        rows.into_iter()
            .map(|a| {
                let record = records.get(&a.id).cloned();
                resident(a, record)
            })
            .collect()
    }

    async fn resident(&self, id: AccountId) -> Result<Option<ResidentRecord>, Unexpected> {
        let what = "reading a resident";
        let Some(a) = account::Entity::find_by_id(id.0).one(&self.db).await.context(what)? else {
            return Ok(None);
        };
        if a.role != Role::Resident.as_str() || a.erased_at.is_some() {
            return Ok(None);
        }
        let record = resident_record::Entity::find_by_id(id.0).one(&self.db).await.context(what)?;
        resident(a, record).map(Some)
    }

    async fn file_resident(
        &self,
        new: NewAccount,
        record: RecordDetails,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<AccountId, CreateAccountError> {
        let what = "filing a resident";
        let has_phone = new.phone.is_some();
        let txn = self.begin(what).await?;
        let (id, row) = new_row(new);
        account::Entity::insert(row).exec_without_returning(&txn).await.map_err(|e| match create_error(e, what) {
            // The username is made from the mobile, so a name in use is the number in use.
            CreateAccountError::Taken(_) if has_phone => CreateAccountError::Taken("phone"),
            other => other,
        })?;
        let row = resident_record::ActiveModel {
            account_id: Set(id.0),
            community_id: Set(record.community.0),
            address: Set(record.address),
            landline: Set(record.landline.map(|l| l.as_ref().to_owned())),
            filed_by: Set(record.filed_by.0),
            created_at: Set(at),
        };
        resident_record::Entity::insert(row).exec_without_returning(&txn).await.map_err(|e| create_error(e, what))?;
        super::audit::append(&txn, &AuditEntry { object: format!("account:{}", id.0), ..audit }).await?;
        txn.commit().await.context(what)?;
        Ok(id)
    }
}

fn resident(a: account::Model, record: Option<resident_record::Model>) -> Result<ResidentRecord, Unexpected> {
    let corrupt = |field: &'static str, value: &str| super::convert::corrupt(field, a.id, value);
    let phone = a.phone.as_deref().map(|p| PhoneNumber::parse(p).map_err(|_| corrupt("phone", p))).transpose()?;
    let landline = match record.as_ref().and_then(|r| r.landline.as_deref()) {
        Some(l) => Some(Landline::parse(l).map_err(|_| corrupt("landline", l))?),
        None => None,
    };
    Ok(ResidentRecord {
        id: AccountId(a.id),
        name: a.display_name,
        phone,
        landline,
        community: record.as_ref().map(|r| r.community_id).or(a.community_id).map(CommunityId),
        address: record.and_then(|r| r.address),
        signs_in: !a.password_hash.is_empty(),
    })
}
