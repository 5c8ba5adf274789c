//! 报到: registrations with a residence community, their confirmation by the community's worker, and the Party
//! member's provider (capacity 1) that takes volunteer orders in the community they live in.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::audit::AuditEntry;
use linli_domain::catalog::Routing;
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::providers::ProviderKind;
use linli_domain::volunteering::errors::{DecideError, RegisterError};
use linli_domain::volunteering::model::RegistrationRecord;
use linli_domain::volunteering::ports::Registrations;
use linli_domain::volunteering::registration::{Decision, RegistrationState, Skills};
use linli_domain::volunteering::{BranchId, RegistrationId};

use crate::db::DbContext;
use crate::entities::states::StoredRegistrationState;
use crate::entities::{
    account, branch, catalog_item, community, provider, provider_coverage, provider_item, registration,
};
use crate::store::Store;

impl Registrations for Store {
    /// Files a registration for `account`, pending until a worker of `community` decides.
    async fn register(
        &self,
        account: AccountId,
        community: CommunityId,
        branch: Option<BranchId>,
        skills: &Skills,
        now: DateTime<Utc>,
    ) -> Result<RegistrationRecord, RegisterError> {
        let what = "registering with a community";
        let txn = self.begin(what).await?;
        // One registration pending per member, even when they submit twice at once. `FOR NO KEY UPDATE`, as for
        // bookings, so rows referring to the account can still be written meanwhile.
        account::Entity::find_by_id(account.0)
            .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
            .one(&txn)
            .await
            .context(what)?;
        if community::Entity::find_by_id(community.0).one(&txn).await.context(what)?.is_none() {
            return Err(RegisterError::UnknownCommunity);
        }
        if let Some(b) = branch
            && branch::Entity::find_by_id(b.0).one(&txn).await.context(what)?.is_none()
        {
            return Err(RegisterError::UnknownBranch);
        }
        let mine = registration::Entity::find()
            .filter(registration::Column::AccountId.eq(account.0))
            .filter(
                registration::Column::State
                    .is_in([StoredRegistrationState::Pending, StoredRegistrationState::Confirmed]),
            )
            .all(&txn)
            .await
            .context(what)?;
        if let Some(pending) = mine.iter().find(|r| r.state == StoredRegistrationState::Pending) {
            return Err(RegisterError::AlreadyPending(RegistrationId(pending.id)));
        }
        if mine.iter().any(|r| r.community_id == community.0) {
            return Err(RegisterError::AlreadyThere);
        }
        let row = registration::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account.0),
            community_id: Set(community.0),
            branch_id: Set(branch.map(|b| b.0)),
            skills: Set(skills.stored()),
            state: Set(StoredRegistrationState::Pending),
            current_account_id: Set(None),
            submitted_at: Set(now),
            decided_at: Set(None),
            decided_by: Set(None),
            ended_at: Set(None),
            note: Set(None),
        };
        let id = row.id.clone().unwrap();
        registration::Entity::insert(row).exec_without_returning(&txn).await.context(what)?;
        txn.commit().await.context(what)?;
        self.registration(RegistrationId(id)).await?.ok_or_else(|| gone("a new registration").into())
    }

    /// Confirms or rejects a pending registration. Confirming ends the member's previous registration (they
    /// moved), makes them belong to the new community, and sets up or moves their provider so that volunteer
    /// orders of that community reach them.
    async fn decide_registration(
        &self,
        id: RegistrationId,
        decision: Decision,
        note: Option<String>,
        audit: AuditEntry,
    ) -> Result<RegistrationRecord, DecideError> {
        let what = "deciding a registration";
        let (by, now) = (audit.actor, audit.at);
        let txn = self.begin(what).await?;
        let Some(reg) = registration::Entity::find_by_id(id.0).lock_exclusive().one(&txn).await.context(what)? else {
            return Err(DecideError::NotFound);
        };
        let state = RegistrationState::from(reg.state);
        if state != RegistrationState::Pending {
            return Err(DecideError::NotPending(state));
        }
        let to = match decision {
            Decision::Confirm => RegistrationState::Confirmed,
            Decision::Reject => RegistrationState::Rejected,
        };
        if decision == Decision::Confirm {
            registration::Entity::update_many()
                .col_expr(registration::Column::State, Expr::value(StoredRegistrationState::Ended))
                .col_expr(registration::Column::EndedAt, Expr::value(now))
                .col_expr(registration::Column::CurrentAccountId, Expr::value(Option::<Uuid>::None))
                .filter(registration::Column::CurrentAccountId.eq(reg.account_id))
                .exec(&txn)
                .await
                .context(what)?;
        }
        registration::Entity::update_many()
            .col_expr(registration::Column::State, Expr::value(StoredRegistrationState::from(to)))
            .col_expr(registration::Column::DecidedAt, Expr::value(now))
            .col_expr(registration::Column::DecidedBy, Expr::value(by.0))
            .col_expr(registration::Column::Note, Expr::value(note))
            .col_expr(
                registration::Column::CurrentAccountId,
                Expr::value((decision == Decision::Confirm).then_some(reg.account_id)),
            )
            .filter(registration::Column::Id.eq(reg.id))
            .exec(&txn)
            .await
            .context(what)?;
        if decision == Decision::Confirm {
            settle_provider(&txn, &reg, now).await?;
        }
        crate::store::audit::append(&txn, &audit).await?;
        txn.commit().await.context(what)?;
        self.registration(id).await?.ok_or_else(|| DecideError::Unexpected(gone("a decided registration")))
    }

    async fn registration(&self, id: RegistrationId) -> Result<Option<RegistrationRecord>, Unexpected> {
        let what = "reading a registration";
        let Some(reg) = registration::Entity::find_by_id(id.0).one(&self.db).await.context(what)? else {
            return Ok(None);
        };
        let names = Self::display_names(&self.db, vec![reg.account_id]).await.context(what)?;
        Ok(Some(record(reg, &names)))
    }

    /// A member's registrations, newest first: where they live now and where they lived before.
    async fn registrations_of(&self, account: AccountId) -> Result<Vec<RegistrationRecord>, Unexpected> {
        let rows = registration::Entity::find()
            .filter(registration::Column::AccountId.eq(account.0))
            .order_by_desc(registration::Column::SubmittedAt)
            .all(&self.db)
            .await
            .context("listing a member's registrations")?;
        self.records(rows).await
    }

    /// A community's registrations in `state` (all when `None`), oldest first: at most `limit`, after the
    /// registration `after`. Ids grow with time, so their order is the order of submission.
    async fn registrations_in(
        &self,
        community: CommunityId,
        state: Option<RegistrationState>,
        after: Option<RegistrationId>,
        limit: u64,
    ) -> Result<Vec<RegistrationRecord>, Unexpected> {
        let mut q = registration::Entity::find().filter(registration::Column::CommunityId.eq(community.0));
        if let Some(s) = state {
            q = q.filter(registration::Column::State.eq(StoredRegistrationState::from(s)));
        }
        if let Some(a) = after {
            q = q.filter(registration::Column::Id.gt(a.0));
        }
        let rows = q
            .order_by_asc(registration::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing a community's registrations")?;
        self.records(rows).await
    }
}

impl Store {
    async fn records(&self, rows: Vec<registration::Model>) -> Result<Vec<RegistrationRecord>, Unexpected> {
        let names = Self::display_names(&self.db, rows.iter().map(|r| r.account_id).collect())
            .await
            .context("reading members' names")?;
        Ok(rows.into_iter().map(|r| record(r, &names)).collect())
    }

    /// Display names of accounts, by id.
    pub(super) async fn display_names<C: sea_orm::ConnectionTrait>(
        db: &C,
        ids: Vec<Uuid>,
    ) -> Result<std::collections::HashMap<Uuid, String>, sea_orm::DbErr> {
        Ok(account::Entity::find()
            .filter(account::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.display_name))
            .collect())
    }
}

/// Gives the member a provider of kind Party member in their new community — capacity 1, every volunteer item,
/// covering the community, at its centre — creating it on the first confirmation and moving it on later ones.
async fn settle_provider(
    txn: &DatabaseTransaction,
    reg: &registration::Model,
    now: DateTime<Utc>,
) -> Result<(), Unexpected> {
    let what = "setting up a Party member's provider";
    let member =
        account::Entity::find_by_id(reg.account_id).one(txn).await.context(what)?.ok_or_else(|| gone("a member"))?;
    let place = community::Entity::find_by_id(reg.community_id)
        .one(txn)
        .await
        .context(what)?
        .ok_or_else(|| gone("a community"))?;
    let own = match member.provider_id {
        Some(p) => provider::Entity::find_by_id(p)
            .one(txn)
            .await
            .context(what)?
            .filter(|p| p.kind == ProviderKind::PartyMember.as_str()),
        None => None,
    };
    let id = match own {
        Some(p) => {
            provider::Entity::update_many()
                .col_expr(provider::Column::CommunityId, Expr::value(place.id))
                .col_expr(provider::Column::Lat, Expr::value(place.lat))
                .col_expr(provider::Column::Lng, Expr::value(place.lng))
                .col_expr(provider::Column::Active, Expr::value(true))
                .filter(provider::Column::Id.eq(p.id))
                .exec(txn)
                .await
                .context(what)?;
            provider_coverage::Entity::delete_many()
                .filter(provider_coverage::Column::ProviderId.eq(p.id))
                .exec(txn)
                .await
                .context(what)?;
            p.id
        }
        None => {
            let id = Uuid::now_v7();
            provider::Entity::insert(provider::ActiveModel {
                id: Set(id),
                kind: Set(ProviderKind::PartyMember.as_str().to_owned()),
                name: Set(member.display_name.clone()),
                credit_code: Set(None),
                community_id: Set(place.id),
                lat: Set(place.lat),
                lng: Set(place.lng),
                rating: Set(linli_domain::providers::PRIOR_MEAN),
                rating_count: Set(0),
                rating_sum: Set(0),
                capacity: Set(1),
                active: Set(true),
                radius_m: Set(None),
                working_hours: Set(String::new()),
                target_share: Set(1.0),
                demo: Set(false),
                created_at: Set(now),
                paused_since: Set(None),
                closed_dates: Set(String::new()),
            })
            .exec_without_returning(txn)
            .await
            .context(what)?;
            id
        }
    };
    provider_coverage::Entity::insert(provider_coverage::ActiveModel {
        provider_id: Set(id),
        community_id: Set(place.id),
    })
    .exec_without_returning(txn)
    .await
    .context(what)?;
    let volunteer_items = catalog_item::Entity::find()
        .filter(catalog_item::Column::Routing.eq(Routing::Volunteer.as_str()))
        .all(txn)
        .await
        .context(what)?;
    let offered =
        volunteer_items.iter().map(|i| provider_item::ActiveModel { provider_id: Set(id), item_id: Set(i.id) });
    provider_item::Entity::insert_many(offered)
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([provider_item::Column::ProviderId, provider_item::Column::ItemId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await
        .context(what)?;
    account::Entity::update_many()
        .col_expr(account::Column::ProviderId, Expr::value(id))
        .col_expr(account::Column::CommunityId, Expr::value(place.id))
        .filter(account::Column::Id.eq(member.id))
        .exec(txn)
        .await
        .context(what)?;
    Store::bump_dispatch_counter(txn).await?;
    Ok(())
}

fn record(r: registration::Model, names: &std::collections::HashMap<Uuid, String>) -> RegistrationRecord {
    RegistrationRecord {
        id: RegistrationId(r.id),
        account: AccountId(r.account_id),
        display_name: names.get(&r.account_id).cloned().unwrap_or_default(),
        community: CommunityId(r.community_id),
        branch: r.branch_id.map(BranchId),
        skills: Skills::from_stored(&r.skills),
        state: r.state.into(),
        submitted_at: r.submitted_at,
        decided_at: r.decided_at,
        ended_at: r.ended_at,
        note: r.note,
    }
}

/// A row that was there a moment ago inside the same work is missing: something removed it meanwhile.
pub(super) fn gone(what: &'static str) -> Unexpected {
    Unexpected::new("reading back", std::io::Error::other(format!("{what} vanished")))
}
