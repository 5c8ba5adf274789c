//! The use cases after the service: a community worker's follow-up list (回访) of their community's completed
//! orders, the follow-up itself, a complaint (投诉) opened against the provider with a deadline, the provider's
//! answer, and the escalation of complaints left unanswered past it.

use uuid::Uuid;

use super::aftercare::{
    AnswerWithin, Complaint, ComplaintId, ComplaintScope, ComplaintState, FollowUp, FollowUpOutcome,
};
use super::errors::{AftercareError, ListError, MoveError};
use super::model::{Order, OrderId};
use super::ports::OrderStore;
use super::service::{OrderDesk, worker_list};
use super::state::OrderState;
use super::visit::VisitText;
use crate::accounts::{Actor, Role};
use crate::clock::Clock;
use crate::dispatch::DispatchQueue;
use crate::error::Unexpected;
use crate::paging::{Page, PageRequest};

/// Overdue complaints escalated per run of the sweep; the next run takes the rest.
const ESCALATE_BATCH: u64 = 200;

impl<S: OrderStore, Q: DispatchQueue, C: Clock> OrderDesk<S, Q, C> {
    /// The completed orders of a worker's community or street (an admin's: every community's) nobody has followed up,
    /// newest first.
    pub async fn follow_ups_due(&self, actor: &Actor, page: PageRequest<'_>) -> Result<Page<Order>, ListError> {
        let denied = "only community workers and admins follow orders up";
        worker_list(actor, page, denied, |c, before, n| self.store.awaiting_follow_up(c, before, n)).await
    }

    /// A worker of the order's community records how the follow-up call went, once.
    pub async fn follow_up(
        &self,
        actor: &Actor,
        id: OrderId,
        outcome: FollowUpOutcome,
        note: Option<VisitText>,
    ) -> Result<FollowUp, AftercareError> {
        let order = self.order_for_worker(actor, id, "follow up").await?;
        completed(&order)?;
        let record = FollowUp {
            order: id,
            by: actor.account,
            outcome,
            note: note.map(VisitText::into_string),
            at: self.clock.now(),
        };
        if !self.store.record_follow_up(&record).await? {
            return Err(AftercareError::AlreadyFollowedUp);
        }
        Ok(record)
    }

    /// A worker of the order's community opens a complaint against its provider, which has `within` to answer.
    pub async fn open_complaint(
        &self,
        actor: &Actor,
        id: OrderId,
        text: VisitText,
        within: AnswerWithin,
    ) -> Result<Complaint, AftercareError> {
        let order = self.order_for_worker(actor, id, "complain about").await?;
        let provider = completed(&order)?;
        let now = self.clock.now();
        let complaint = Complaint {
            id: ComplaintId(Uuid::now_v7()),
            order: id,
            provider,
            community: order.community,
            opened_by: actor.account,
            text: text.into_string(),
            opened_at: now,
            due_at: now + within.get(),
            state: ComplaintState::Open,
            answer: None,
            answered_at: None,
            escalated_at: None,
        };
        if !self.store.open_complaint(&complaint).await? {
            return Err(AftercareError::ComplaintExists);
        }
        Ok(complaint)
    }

    /// Complaints newest first: a worker's community's, a staff member's organization's, or every one for an
    /// admin; in one of `states`, or any.
    pub async fn complaints(
        &self,
        actor: &Actor,
        states: &[ComplaintState],
        page: PageRequest<'_>,
    ) -> Result<Page<Complaint>, ListError> {
        let scope = match (actor.role, actor.area(), actor.provider) {
            (Role::Admin, _, _) => ComplaintScope::All,
            (Role::CommunityWorker, area, _) if !area.is_empty() => ComplaintScope::Communities(area),
            (Role::ProviderStaff, _, Some(p)) => ComplaintScope::Provider(p),
            (Role::CommunityWorker | Role::ProviderStaff, _, _) => return Ok(Page { rows: Vec::new(), more: false }),
            _ => return Err(ListError::Denied("complaints are for workers, organizations' staff and admins")),
        };
        let size = page.size()?;
        let before = page.cursor()?.map(ComplaintId);
        Ok(Page::of(self.store.complaints(scope, states, before, size + 1).await?, size))
    }

    /// The organization's staff answer a complaint against it, once, on time or after it was escalated.
    pub async fn answer_complaint(
        &self,
        actor: &Actor,
        id: ComplaintId,
        answer: VisitText,
    ) -> Result<Complaint, AftercareError> {
        let complaint = self.store.complaint(id).await?.ok_or(AftercareError::UnknownComplaint)?;
        if actor.role != Role::ProviderStaff || actor.provider != Some(complaint.provider) {
            // Another organization learns nothing of it.
            return Err(AftercareError::UnknownComplaint);
        }
        if !self.store.answer_complaint(id, answer.as_ref(), actor.account, self.clock.now()).await? {
            return Err(AftercareError::AlreadyAnswered);
        }
        self.store.complaint(id).await?.ok_or(AftercareError::UnknownComplaint)
    }

    /// Escalates every complaint whose deadline passed unanswered. Returns how many.
    pub async fn escalate_overdue_complaints(&self) -> Result<usize, Unexpected> {
        self.store.escalate_overdue_complaints(self.clock.now(), ESCALATE_BATCH).await
    }

    /// The follow-up and the complaint of an order, for its detail: to workers of its community and admins (the
    /// follow-up), and to them and the provider holding it (the complaint).
    pub(super) async fn aftercare_of(
        &self,
        actor: &Actor,
        order: &Order,
    ) -> Result<(Option<FollowUp>, Option<Complaint>), Unexpected> {
        if order.state != OrderState::Completed {
            return Ok((None, None));
        }
        let worker = matches!(actor.role, Role::CommunityWorker | Role::Admin);
        let holder = actor.role == Role::ProviderStaff && actor.provider.is_some() && actor.provider == order.provider;
        let follow_up = if worker { self.store.follow_up(order.id).await? } else { None };
        let complaint = if worker || holder { self.store.complaint_of_order(order.id).await? } else { None };
        Ok((follow_up, complaint))
    }
}

/// The provider of a completed order, or the conflict of one that is not completed.
fn completed(order: &Order) -> Result<crate::providers::ProviderId, MoveError> {
    match (order.state, order.provider) {
        (OrderState::Completed, Some(p)) => Ok(p),
        (current, _) => Err(MoveError::Conflict { current }),
    }
}
