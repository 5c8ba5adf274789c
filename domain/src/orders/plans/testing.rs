//! The fake order store's care plans, for the use cases' unit tests: a change applies only at the revision it
//! names, as the real store's compare-and-set does.

use chrono::{DateTime, NaiveDate, Utc};

use super::{CarePlan, CarePlanId, CarePlans, Continuity, PlanWrite};
use crate::accounts::AccountId;
use crate::error::Unexpected;
use crate::orders::testing::FakeOrders;
use crate::orders::{Order, OrderState, Schedule};

impl CarePlans for FakeOrders {
    async fn insert_plan(&self, plan: &CarePlan) -> Result<(), Unexpected> {
        self.held().plans.push(plan.clone());
        Ok(())
    }

    async fn plan(&self, id: CarePlanId) -> Result<Option<CarePlan>, Unexpected> {
        Ok(self.held().plans.iter().find(|p| p.id == id).cloned())
    }

    async fn plans(
        &self,
        resident: Option<AccountId>,
        reach: &crate::orders::Reach,
        before: Option<CarePlanId>,
        limit: u64,
    ) -> Result<Vec<CarePlan>, Unexpected> {
        let held = self.held();
        let mut plans: Vec<CarePlan> = held
            .plans
            .iter()
            .filter(|p| resident.is_none_or(|r| p.resident == r) && super::desk::within(p, reach))
            .filter(|p| before.is_none_or(|b| p.id < b))
            .cloned()
            .collect();
        plans.sort_by_key(|p| std::cmp::Reverse(p.id));
        plans.truncate(limit as usize);
        Ok(plans)
    }

    async fn change_plan(&self, change: &PlanWrite) -> Result<bool, Unexpected> {
        let mut held = self.held();
        let Some(plan) = held.plans.iter_mut().find(|p| p.id == change.plan && p.revision == change.revision) else {
            return Ok(false);
        };
        (plan.rules, plan.placed_through, plan.updated_at) = (change.rules.clone(), change.placed_through, change.at);
        plan.revision += 1;
        Ok(true)
    }

    async fn plans_to_extend(
        &self,
        today: NaiveDate,
        through: NaiveDate,
        limit: u64,
    ) -> Result<Vec<CarePlan>, Unexpected> {
        let held = self.held();
        let due =
            held.plans.iter().filter(|p| !p.rules.ended_by(today) && p.placed_through.is_none_or(|d| d < through));
        Ok(due.take(limit as usize).cloned().collect())
    }

    async fn placed_through(&self, plan: CarePlanId, through: NaiveDate) -> Result<(), Unexpected> {
        if let Some(p) = self.held().plans.iter_mut().find(|p| p.id == plan) {
            p.placed_through = Some(p.placed_through.map_or(through, |d| d.max(through)));
        }
        Ok(())
    }

    async fn plan_orders(
        &self,
        plan: CarePlanId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Order>, Unexpected> {
        let held = self.held();
        let mut orders: Vec<Order> = held
            .orders
            .iter()
            .filter(|o| o.plan == Some(plan))
            .filter(|o| matches!(o.schedule, Schedule::Window(w) if w.start() >= from && w.start() < until))
            .cloned()
            .collect();
        orders.sort_by_key(|o| match o.schedule {
            Schedule::Window(w) => w.start(),
            Schedule::Asap => o.placed_at,
        });
        Ok(orders)
    }

    async fn last_provider(&self, plan: CarePlanId) -> Result<Continuity, Unexpected> {
        let took = [OrderState::Accepted, OrderState::InService, OrderState::Completed];
        let held = self.held();
        let latest = held
            .orders
            .iter()
            .filter(|o| o.plan == Some(plan) && took.contains(&o.state) && o.provider.is_some())
            .max_by_key(|o| match o.schedule {
                Schedule::Window(w) => w.start(),
                Schedule::Asap => o.placed_at,
            });
        Ok(latest.and_then(|o| o.provider))
    }

    async fn is_resident(&self, account: AccountId) -> Result<bool, Unexpected> {
        Ok(self.held().residents.contains(&account))
    }
}
