//! A provider gives back a job it accepted but cannot do (its staff fell ill, the van broke down) before the
//! visit starts: the order goes back to dispatch, which never offers it to that provider again; the resident is
//! told, and the provider's figures count the hand-back. The list of reasons is the one declines choose from too.

use serde::{Deserialize, Serialize};

use super::errors::JobError;
use super::model::{Order, OrderId};
use super::ports::{OrderStore, TransitionEffect};
use super::service::OrderDesk;
use super::state::OrderAction;
use crate::accounts::Actor;
use crate::clock::Clock;
use crate::dispatch::DispatchQueue;
use crate::words::{Lang, Note};

/// Why a provider cannot do a job, from the list its staff choose from when they decline an offer or give back
/// a job they accepted; each provider's are counted for admins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobReason {
    /// Nobody who could do it is free then after all.
    StaffUnavailable,
    /// They cannot get there in time.
    CannotArriveInTime,
    /// The job turned out to need what they do not do.
    BeyondOurSkills,
    Other,
}

impl JobReason {
    pub const ALL: [JobReason; 4] =
        [JobReason::StaffUnavailable, JobReason::CannotArriveInTime, JobReason::BeyondOurSkills, JobReason::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            JobReason::StaffUnavailable => "staff_unavailable",
            JobReason::CannotArriveInTime => "cannot_arrive_in_time",
            JobReason::BeyondOurSkills => "beyond_our_skills",
            JobReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The reason as the order's history reads it.
    pub fn words(self, lang: Lang) -> &'static str {
        let [zh, en] = match self {
            JobReason::StaffUnavailable => ["人手不足", "no staff free"],
            JobReason::CannotArriveInTime => ["无法按时到达", "cannot arrive in time"],
            JobReason::BeyondOurSkills => ["超出服务能力", "beyond what they do"],
            JobReason::Other => ["其他原因", "another reason"],
        };
        if lang == Lang::ZhCn { zh } else { en }
    }
}

impl<S: OrderStore, Q: DispatchQueue, C: Clock> OrderDesk<S, Q, C> {
    /// The provider holding an accepted order gives it back before the visit starts; it is dispatched again,
    /// to others only.
    pub async fn hand_back(&self, actor: &Actor, id: OrderId, reason: JobReason) -> Result<Order, JobError> {
        let provider = Self::staff_provider(actor, "hand back")?;
        let note = Note::HandedBack { reason }.stored();
        let released = self
            .provider_step(actor, id, OrderAction::Release, &note, |_| TransitionEffect::ReleaseFrom(provider))
            .await?;
        self.forget_offers(id).await;
        // If this enqueue is lost, the stranded-order sweep finds the order again.
        let _ = self.queue.enqueue(id).await;
        Ok(released)
    }
}
