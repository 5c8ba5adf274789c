//! The storage port of care plans. A plan's rules change by compare-and-set on its revision, so two changes at
//! once cannot both be written over the same rules; the visits themselves are ordinary orders, placed with an
//! idempotency key per occurrence ([`Occurrence::key`](super::Occurrence::key)), so extending a plan twice at
//! once places each visit once.

use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};

use super::{CarePlan, CarePlanId, Continuity, PlanRules};
use crate::accounts::AccountId;
use crate::error::Unexpected;
use crate::orders::{Order, Reach};

/// A change of a plan's rules, written only while the plan is still at `revision`.
#[derive(Clone, Debug)]
pub struct PlanWrite {
    pub plan: CarePlanId,
    pub revision: u32,
    pub rules: PlanRules,
    /// Where the placing of visits stands after the change: a change of time sends it back, so that the
    /// moved visits are placed again.
    pub placed_through: Option<NaiveDate>,
    pub at: DateTime<Utc>,
}

pub trait CarePlans: Clone + Send + Sync + 'static {
    fn insert_plan(&self, plan: &CarePlan) -> impl Future<Output = Result<(), Unexpected>> + Send;

    fn plan(&self, id: CarePlanId) -> impl Future<Output = Result<Option<CarePlan>, Unexpected>> + Send;

    /// Plans newest first, strictly older than `before`, within `reach` (for a worker, their community's and
    /// those they filed): a resident's own when `resident` is given.
    fn plans(
        &self,
        resident: Option<AccountId>,
        reach: &Reach,
        before: Option<CarePlanId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<CarePlan>, Unexpected>> + Send;

    /// Writes the change while the plan is at the revision it names, moving it to the next; false when another
    /// change got there first.
    fn change_plan(&self, change: &PlanWrite) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Plans that may have visits to place by `through`: not ended before `today`, and placed short of
    /// `through`; up to `limit`, those placed least far first (never placed before any).
    fn plans_to_extend(
        &self,
        today: NaiveDate,
        through: NaiveDate,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<CarePlan>, Unexpected>> + Send;

    /// Records that the plan's visits through `through` are placed, unless it stands further already.
    fn placed_through(
        &self,
        plan: CarePlanId,
        through: NaiveDate,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// The plan's orders whose window starts in `[from, until)`, earliest first.
    fn plan_orders(
        &self,
        plan: CarePlanId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Order>, Unexpected>> + Send;

    /// The provider that took the plan's latest visit (accepted, in service or completed).
    fn last_provider(&self, plan: CarePlanId) -> impl Future<Output = Result<Continuity, Unexpected>> + Send;

    /// Whether the account is a resident's, for a worker filing a plan on their behalf.
    fn is_resident(&self, account: AccountId) -> impl Future<Output = Result<bool, Unexpected>> + Send;
}
