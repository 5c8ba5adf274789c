//! The visit's use cases: the provider starts and completes the job (recording when, where the device said
//! they were, and the service note), the resident confirms or disputes it, the community's workers resolve
//! disputes, Linli confirms a visit nobody answered once its time is up, and the resident rates a settled one.

use super::errors::{JobError, ListError, MoveError, RateError, VisitError};
use super::model::{Order, OrderId};
use super::ports::{Completion, OrderStore, TransitionEffect};
use super::service::{OrderDesk, worker_list};
use super::state::{OrderAction, OrderState};
use super::visit::{Answer, Mark, NewRating, RATING_EDITABLE_FOR, Rating, Resolution, Stars, Visit, VisitText};
use crate::accounts::{Actor, Role};
use crate::clock::Clock;
use crate::dispatch::DispatchQueue;
use crate::error::Unexpected;
use crate::geo::GeoPoint;
use crate::paging::{Page, PageRequest};
use crate::words::Note;

/// Due visits confirmed per run of the sweep; the next run takes the rest.
const CONFIRM_BATCH: u64 = 200;

impl<S: OrderStore, Q: DispatchQueue, C: Clock> OrderDesk<S, Q, C> {
    /// The provider starts the job; `location` is where the staff member's device says they are, if it said.
    pub async fn start(&self, actor: &Actor, id: OrderId, location: Option<GeoPoint>) -> Result<Order, JobError> {
        let now = self.clock.now();
        let started = |order: &Order| TransitionEffect::Started(Mark::new(now, location, &order.location));
        self.provider_step(actor, id, OrderAction::Start, &Note::Started.stored(), started).await
    }

    /// The provider finished the job, saying what was done. The resident then has `confirm_within` to confirm
    /// or dispute it. A Party member's volunteer order counts as service hours, credited with the completion.
    pub async fn complete(
        &self,
        actor: &Actor,
        id: OrderId,
        note: VisitText,
        location: Option<GeoPoint>,
    ) -> Result<Order, JobError> {
        let now = self.clock.now();
        let completed = |order: &Order| {
            TransitionEffect::Completed(Box::new(Completion {
                mark: Mark::new(now, location, &order.location),
                note,
                confirm_by: now + self.confirm_within,
                credit_hours: (actor.role == Role::PartyMember).then_some(actor.account),
            }))
        };
        self.provider_step(actor, id, OrderAction::Complete, &Note::Completed.stored(), completed).await
    }

    /// The resident confirms the service was done, or disputes it, once; a dispute opens a case for the
    /// community's workers.
    pub async fn answer_visit(&self, actor: &Actor, id: OrderId, answer: Answer) -> Result<Visit, VisitError> {
        let order = self.find_for(actor, id).await?;
        if actor.role != Role::Resident || order.resident != actor.account {
            return Err(MoveError::NotYours("confirm or dispute the visit of").into());
        }
        if order.state != OrderState::Completed {
            return Err(MoveError::Conflict { current: order.state }.into());
        }
        if !self.store.answer_visit(id, &answer, actor.account, self.clock.now()).await? {
            return Err(VisitError::AlreadyAnswered);
        }
        self.visit_now(id).await
    }

    /// The disputed visits a worker handles (their community's) or an admin oversees (all), newest first.
    pub async fn disputes(&self, actor: &Actor, page: PageRequest<'_>) -> Result<Page<(Order, Visit)>, ListError> {
        let denied = "only community workers and admins handle disputes";
        worker_list(actor, page, denied, |c, before, n| self.store.open_disputes(c, before, n)).await
    }

    /// A worker of the order's community (or an admin) closes a dispute, saying how it was settled.
    pub async fn resolve_dispute(&self, actor: &Actor, id: OrderId, note: VisitText) -> Result<Visit, VisitError> {
        self.order_for_worker(actor, id, "resolve the dispute of").await?;
        let resolution = Resolution { at: self.clock.now(), by: actor.account, note: note.into_string() };
        if !self.store.resolve_dispute(id, &resolution).await? {
            return Err(VisitError::NoOpenDispute);
        }
        self.visit_now(id).await
    }

    /// The resident rates the provider of a settled visit (confirmed, or its dispute resolved), once; they may
    /// change it within [`RATING_EDITABLE_FOR`] of giving it. The provider's smoothed rating moves with it.
    pub async fn rate(
        &self,
        actor: &Actor,
        id: OrderId,
        stars: Stars,
        comment: Option<VisitText>,
    ) -> Result<Rating, RateError> {
        let order = self.find_for(actor, id).await?;
        if actor.role != Role::Resident || order.resident != actor.account {
            return Err(MoveError::NotYours("rate").into());
        }
        let provider = match (order.state, order.provider) {
            (OrderState::Completed, Some(p)) => p,
            (current, _) => return Err(MoveError::Conflict { current }.into()),
        };
        if !self.store.visit(id).await?.is_some_and(|v| v.settled()) {
            return Err(RateError::NotSettled);
        }
        let now = self.clock.now();
        let rating = NewRating { order: id, provider, resident: actor.account, stars, comment, at: now };
        self.store.rate(rating, now - RATING_EDITABLE_FOR).await?.ok_or(RateError::EditWindowClosed)
    }

    /// Confirms every visit whose resident did not answer in time. Returns how many.
    pub async fn confirm_due_visits(&self) -> Result<usize, Unexpected> {
        self.store.confirm_due_visits(self.clock.now(), CONFIRM_BATCH).await
    }

    async fn visit_now(&self, id: OrderId) -> Result<Visit, VisitError> {
        Ok(self.store.visit(id).await?.ok_or(MoveError::NotFound)?)
    }
}
