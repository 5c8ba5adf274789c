//! What an account's open pages are told at once, beside the inbox and the texts: an order of theirs changed,
//! an offer came or went, a message arrived, a shift's roster changed. Live notices say only what to look at again; the page reads
//! the rest through the API, with the caller's own rights. They are best-effort by design: a page that was
//! away reads everything again when its stream reconnects, so nothing is lost if a notice is.

use std::future::Future;

use serde::{Deserialize, Serialize};

use super::plan::{EventContext, Happened, Notice};
use crate::accounts::{AccountId, Actor};
use crate::geo::CommunityId;
use crate::orders::{OrderId, OrderState};
use crate::volunteering::{ShiftId, organizes};

/// What changed, as a page needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveKind {
    /// An order the account follows moved (its resident, its provider's staff, its community's workers).
    Order,
    /// An offer to the account's provider was made, or is gone (taken by another, expired, cancelled).
    Offer,
    /// A message arrived in the account's inbox.
    Inbox,
    /// A shift's roster changed (a sign-up, a cancellation, a promotion, an arrival or departure, its date or
    /// details): the people on it and the organizers of its community read it again.
    Roster,
    /// Notices may have been missed (the stream was down): read everything again.
    Resync,
}

/// One live notice and the accounts it is for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveNotice {
    pub accounts: Vec<AccountId>,
    pub kind: LiveKind,
    pub order: Option<OrderId>,
    pub state: Option<OrderState>,
    /// The shift whose roster changed. Defaulted so that a process of the previous release, whose notices
    /// lack it, is still understood during a rolling upgrade.
    #[serde(default)]
    pub shift: Option<ShiftId>,
    /// The community whose organizers hear the notice besides `accounts`.
    #[serde(default)]
    pub community: Option<CommunityId>,
}

impl LiveNotice {
    /// Notices may have been missed: every stream reads everything again.
    pub fn resync() -> Self {
        Self { accounts: Vec::new(), kind: LiveKind::Resync, order: None, state: None, shift: None, community: None }
    }

    /// The roster of `shift` in `community` changed; `accounts` are the people on it.
    pub fn roster(shift: ShiftId, community: CommunityId, mut accounts: Vec<AccountId>) -> Self {
        accounts.sort_by_key(|a| a.0);
        accounts.dedup();
        Self {
            accounts,
            kind: LiveKind::Roster,
            order: None,
            state: None,
            shift: Some(shift),
            community: Some(community),
        }
    }

    /// Whether `actor`'s stream hears it: every resync, what names the account, and a roster change in a
    /// community the actor organizes.
    pub fn is_for(&self, actor: &Actor) -> bool {
        self.kind == LiveKind::Resync
            || self.accounts.contains(&actor.account)
            || (self.kind == LiveKind::Roster && self.community.is_some_and(|c| organizes(actor, c)))
    }
}

/// Carries live notices to every process that has a page open (Redis pub/sub, or within the process).
/// Best-effort, as live notices are: the adapter logs what it could not send, and a page that missed a notice
/// reads everything again when its stream reconnects.
pub trait LivePublisher: Clone + Send + Sync + 'static {
    fn publish(&self, notice: &LiveNotice) -> impl Future<Output = ()> + Send;
}

/// Hands each process's open streams the notices published anywhere.
pub trait LiveSubscriptions: Clone + Send + Sync + 'static {
    type Receiver: LiveReceiver;

    /// A receiver of every notice published from now on.
    fn subscribe(&self) -> Self::Receiver;
}

pub trait LiveReceiver: Send + 'static {
    /// The next notice (a `Resync` when some were missed); `None` once the process is shutting down.
    fn next(&mut self) -> impl Future<Output = Option<LiveNotice>> + Send;
}

/// The use case behind an account's live stream: any signed-in account opens one, and hears only the notices
/// meant for it (`LiveNotice::is_for`).
#[derive(Clone)]
pub struct LiveDesk<L> {
    subscriptions: L,
}

impl<L: LiveSubscriptions> LiveDesk<L> {
    pub fn new(subscriptions: L) -> Self {
        Self { subscriptions }
    }

    pub fn open(&self, actor: &Actor) -> LiveFeed<L::Receiver> {
        LiveFeed { receiver: self.subscriptions.subscribe(), actor: actor.clone() }
    }
}

/// One account's live stream.
pub struct LiveFeed<R> {
    receiver: R,
    actor: Actor,
}

impl<R: LiveReceiver> LiveFeed<R> {
    pub async fn next(&mut self) -> Option<LiveNotice> {
        loop {
            let notice = self.receiver.next().await?;
            if notice.is_for(&self.actor) {
                return Some(notice);
            }
        }
    }
}

/// The live notices of one order event, given who it concerns and the notices it fanned out into.
pub fn live_notices(happened: Happened, context: &EventContext, notices: &[Notice]) -> Vec<LiveNotice> {
    let state = match happened {
        Happened::Moved(s) => Some(s),
        Happened::HandedBack => Some(OrderState::Submitted),
        Happened::Rescheduled | Happened::Visit(_) => None,
    };
    let mut out = Vec::new();
    let mut push = |kind, mut accounts: Vec<AccountId>| {
        accounts.sort_by_key(|a| a.0);
        accounts.dedup();
        if !accounts.is_empty() {
            out.push(LiveNotice { accounts, kind, order: context.order, state, shift: None, community: None });
        }
    };
    let mut followers: Vec<AccountId> = context.resident.into_iter().collect();
    followers.extend(&context.provider_staff);
    followers.extend(&context.workers);
    // Loaded for a high-risk intake only, which goes to the street at once.
    followers.extend(&context.street_workers);
    push(LiveKind::Order, followers);
    // The providers offered it now see it come; those offered it before see it go (taken, expired, cancelled)
    // or come back round.
    let mut offered: Vec<AccountId> = context.offered.iter().flat_map(|(_, staff)| staff.iter().copied()).collect();
    offered.extend(&context.offered_before);
    push(LiveKind::Offer, offered);
    let inboxes = notices.iter().filter_map(|n| match n {
        Notice::Inbox { account, .. } => Some(*account),
        _ => None,
    });
    push(LiveKind::Inbox, inboxes.collect());
    out
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::accounts::Role;
    use crate::providers::ProviderId;

    fn someone() -> AccountId {
        AccountId(Uuid::now_v7())
    }

    #[test]
    fn an_acceptance_tells_the_resident_and_the_holder_and_takes_the_offer_from_the_others() {
        let (resident, holder, rival) = (someone(), someone(), someone());
        let context = EventContext {
            order: Some(OrderId(Uuid::now_v7())),
            resident: Some(resident),
            provider_staff: vec![holder],
            offered_before: vec![holder, rival],
            ..EventContext::default()
        };
        let notices = live_notices(Happened::Moved(OrderState::Accepted), &context, &[]);
        let of = |kind| notices.iter().find(|n| n.kind == kind).map(|n| n.accounts.clone()).unwrap_or_default();
        let mut followers = vec![resident, holder];
        followers.sort_by_key(|a| a.0);
        assert_eq!(of(LiveKind::Order), followers);
        let mut offered = vec![holder, rival];
        offered.sort_by_key(|a| a.0);
        assert_eq!(of(LiveKind::Offer), offered);
        assert!(notices.iter().all(|n| n.state == Some(OrderState::Accepted) && n.order == context.order));
    }

    #[test]
    fn a_new_offer_tells_the_offered_staff_and_each_inbox_written() {
        let (resident, staff) = (someone(), someone());
        let context = EventContext {
            resident: Some(resident),
            offered: vec![(ProviderId(Uuid::now_v7()), vec![staff])],
            ..EventContext::default()
        };
        let inbox = Notice::Inbox {
            account: resident,
            message: crate::words::Message::OrderSubmitted { item: "助餐".into() },
        };
        let notices = live_notices(Happened::Moved(OrderState::Offered), &context, &[inbox]);
        let kinds: Vec<_> = notices.iter().map(|n| (n.kind, n.accounts.clone())).collect();
        assert_eq!(
            kinds,
            vec![(LiveKind::Order, vec![resident]), (LiveKind::Offer, vec![staff]), (LiveKind::Inbox, vec![resident])]
        );
    }

    /// Notices as a process's subscription would hear them, in order.
    #[derive(Clone)]
    struct Heard(std::sync::Arc<std::sync::Mutex<Vec<LiveNotice>>>);

    impl LiveSubscriptions for Heard {
        type Receiver = Heard;
        fn subscribe(&self) -> Heard {
            self.clone()
        }
    }

    impl LiveReceiver for Heard {
        async fn next(&mut self) -> Option<LiveNotice> {
            let mut held = self.0.lock().unwrap();
            (!held.is_empty()).then(|| held.remove(0))
        }
    }

    #[test]
    fn an_account_hears_only_its_own_notices_and_every_resync() {
        let (me, other) = (someone(), someone());
        let notice = |accounts: Vec<AccountId>, kind| LiveNotice { accounts, kind, ..LiveNotice::resync() };
        let heard = Heard(std::sync::Arc::new(std::sync::Mutex::new(vec![
            notice(vec![other], LiveKind::Order),
            notice(vec![other, me], LiveKind::Offer),
            notice(vec![], LiveKind::Resync),
            notice(vec![other], LiveKind::Inbox),
        ])));
        let actor = Actor { account: me, role: Role::ProviderStaff, provider: None, community: None, street: None };
        let mut feed = LiveDesk::new(heard).open(&actor);
        let mut kinds = Vec::new();
        while let Some(n) = futures_util::FutureExt::now_or_never(feed.next()).flatten() {
            kinds.push(n.kind);
        }
        assert_eq!(kinds, vec![LiveKind::Offer, LiveKind::Resync]);
    }

    #[test]
    fn a_roster_change_reaches_the_people_on_it_and_the_organizers_of_its_community_only() {
        let (member, stranger) = (someone(), someone());
        let changed = LiveNotice::roster(ShiftId(Uuid::now_v7()), CommunityId(3), vec![member, member]);
        assert_eq!(changed.accounts, vec![member], "each person once");
        let actor = |account, role, community: Option<i32>| Actor {
            account,
            role,
            provider: None,
            community: community.map(CommunityId),
            street: None,
        };
        assert!(changed.is_for(&actor(member, Role::PartyMember, Some(4))));
        assert!(changed.is_for(&actor(someone(), Role::CommunityWorker, Some(3))));
        assert!(changed.is_for(&actor(someone(), Role::Admin, None)));
        assert!(!changed.is_for(&actor(someone(), Role::CommunityWorker, Some(4))), "another community's worker");
        assert!(!changed.is_for(&actor(stranger, Role::PartyMember, Some(3))), "a member not on the shift");
    }

    #[test]
    fn a_notice_of_the_previous_release_without_shift_or_community_still_reads() {
        let order = OrderId(Uuid::now_v7());
        let new = LiveNotice { order: Some(order), state: Some(OrderState::Offered), ..LiveNotice::resync() };
        let mut old = serde_json::to_value(&new).unwrap();
        let fields = old.as_object_mut().unwrap();
        fields.remove("shift");
        fields.remove("community");
        let notice: LiveNotice = serde_json::from_value(old).unwrap();
        assert_eq!(notice, new);
    }

    #[test]
    fn nobody_concerned_means_no_notice() {
        assert!(live_notices(Happened::Rescheduled, &EventContext::default(), &[]).is_empty());
    }
}
