//! Who is told what about an order event: the pure fan-out of one event into inbox messages, webhook calls, SMS
//! and reminders.

use chrono::{DateTime, TimeDelta, Utc};

use crate::accounts::AccountId;
use crate::orders::{OrderId, OrderState};
use crate::providers::ProviderId;
use crate::words::Message;

/// What happened to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Happened {
    /// It moved to this state.
    Moved(OrderState),
    /// Its appointment window changed; the state did not.
    Rescheduled,
    /// The resident (or Linli, when they did not answer) said something of the completed visit.
    Visit(VisitNews),
    /// The provider gave back the order it had accepted: it is back with dispatch (from accepted to submitted).
    HandedBack,
}

/// What was said of a completed visit: the resident's answer, a dispute's end, a complaint and its fate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VisitNews {
    Confirmed,
    /// A case for the community's workers.
    Disputed,
    /// A worker closed the dispute.
    Resolved,
    /// A worker complained to the provider, which must answer by a deadline.
    ComplaintOpened,
    ComplaintAnswered,
    /// The deadline passed unanswered.
    ComplaintEscalated,
}

impl VisitNews {
    pub const ALL: [VisitNews; 6] = [
        VisitNews::Confirmed,
        VisitNews::Disputed,
        VisitNews::Resolved,
        VisitNews::ComplaintOpened,
        VisitNews::ComplaintAnswered,
        VisitNews::ComplaintEscalated,
    ];

    /// The event's type, as the outbox and webhooks name it.
    pub fn event_type(self) -> &'static str {
        match self {
            VisitNews::Confirmed => "order.visit_confirmed",
            VisitNews::Disputed => "order.visit_disputed",
            VisitNews::Resolved => "order.dispute_resolved",
            VisitNews::ComplaintOpened => "order.complaint_opened",
            VisitNews::ComplaintAnswered => "order.complaint_answered",
            VisitNews::ComplaintEscalated => "order.complaint_escalated",
        }
    }

    pub fn parse(event_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.event_type() == event_type)
    }
}

/// What a reminder is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReminderKind {
    /// A day before an appointment's window opens.
    AppointmentDayBefore,
    /// An hour before.
    AppointmentHourBefore,
    /// A day before a volunteer's shift starts.
    ShiftDayBefore,
}

impl ReminderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::AppointmentDayBefore => "appointment_24h",
            ReminderKind::AppointmentHourBefore => "appointment_1h",
            ReminderKind::ShiftDayBefore => "shift_24h",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [ReminderKind::AppointmentDayBefore, ReminderKind::AppointmentHourBefore, ReminderKind::ShiftDayBefore]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }

    fn before(self) -> TimeDelta {
        match self {
            ReminderKind::AppointmentDayBefore | ReminderKind::ShiftDayBefore => TimeDelta::hours(24),
            ReminderKind::AppointmentHourBefore => TimeDelta::hours(1),
        }
    }

    /// When this reminder is due for an appointment starting at `start`.
    pub fn due_for(self, start: DateTime<Utc>) -> DateTime<Utc> {
        start - self.before()
    }

    /// Whether an appointment reminder due at `due` still fits an order in `state` whose window starts at
    /// `start`: the order is still held by a provider and has not moved since the reminder was made.
    pub fn still_fits(self, due: DateTime<Utc>, state: OrderState, start: Option<DateTime<Utc>>) -> bool {
        state == OrderState::Accepted && start.is_some_and(|s| self.due_for(s) == due)
    }

    /// Whether a shift reminder due at `due` still fits: the place is still confirmed, the date was not called
    /// off, and the shift has not moved since the reminder was made.
    pub fn still_fits_shift(self, due: DateTime<Utc>, confirmed: bool, called_off: bool, start: DateTime<Utc>) -> bool {
        confirmed && !called_off && self.due_for(start) == due
    }
}

/// What the fan-out of an event needs to know of its order and the people around it.
#[derive(Clone, Debug, Default)]
pub struct EventContext {
    pub order: Option<OrderId>,
    pub item_name: String,
    pub resident: Option<AccountId>,
    /// The provider holding the order, if any.
    pub provider: Option<ProviderId>,
    /// Staff accounts of the provider holding the order.
    pub provider_staff: Vec<AccountId>,
    /// Providers the event offered the order to, each with its staff accounts.
    pub offered: Vec<(ProviderId, Vec<AccountId>)>,
    /// Staff accounts of providers offered the order before this event, whose offers it may have ended.
    pub offered_before: Vec<AccountId>,
    /// The community's workers.
    pub workers: Vec<AccountId>,
    /// A mediation intake marked high risk, which goes to the street at once.
    pub high_risk: bool,
    /// The workers of the community's street, told of a high-risk intake.
    pub street_workers: Vec<AccountId>,
    /// When the appointment's window opens, for an order booked for a time.
    pub window_start: Option<DateTime<Utc>>,
}

/// One thing to tell someone, worded when they read it.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Inbox {
        account: AccountId,
        message: Message,
    },
    Webhook {
        provider: ProviderId,
        event_type: String,
        body: String,
    },
    Sms {
        account: AccountId,
        message: Message,
    },
    Remind {
        account: AccountId,
        kind: ReminderKind,
        due: DateTime<Utc>,
        message: Message,
    },
    /// The order's reminders that have not gone out yet are called off.
    CancelReminders,
}

/// The notices for what happened to an order at `at`, planned at `now` (later, when the fan-out fell behind):
/// no reminder is made whose time has passed by then. Webhooks go to providers concerned; the caller drops
/// those for providers without an endpoint.
pub fn plan_notices(
    event: uuid::Uuid,
    happened: Happened,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    ctx: &EventContext,
) -> Vec<Notice> {
    let item = || ctx.item_name.clone();
    let mut out = Vec::new();
    let event_type = match happened {
        Happened::Moved(to) => format!("order.{}", to.as_str()),
        Happened::Rescheduled => "order.rescheduled".to_owned(),
        Happened::Visit(news) => news.event_type().to_owned(),
        Happened::HandedBack => "order.handed_back".to_owned(),
    };
    let webhook = |provider: ProviderId| Notice::Webhook {
        provider,
        event_type: event_type.clone(),
        body: serde_json::json!({
            "event_id": event,
            "type": event_type,
            "order_id": ctx.order.map(|o| o.0),
            "window_start": ctx.window_start,
            "at": at,
        })
        .to_string(),
    };
    let tell = |accounts: &[AccountId], message: Message, out: &mut Vec<Notice>| {
        for account in accounts {
            out.push(Notice::Inbox { account: *account, message: message.clone() });
        }
    };
    let resident: Vec<AccountId> = ctx.resident.into_iter().collect();
    let to = match happened {
        Happened::Moved(to) => to,
        Happened::HandedBack => {
            // The reminders of the visit that will not happen go; the resident is told, by text too, as they
            // were of the acceptance.
            out.push(Notice::CancelReminders);
            tell(&resident, Message::HandedBack { item: item() }, &mut out);
            for account in &resident {
                out.push(Notice::Sms { account: *account, message: Message::HandedBack { item: item() } });
            }
            return out;
        }
        Happened::Rescheduled => {
            let start = ctx.window_start;
            // The old reminders go, and the new window's are made as for a fresh acceptance.
            out.push(Notice::CancelReminders);
            tell(&resident, Message::RescheduledForResident { item: item(), start }, &mut out);
            tell(&ctx.provider_staff, Message::RescheduledForProvider { item: item(), start }, &mut out);
            out.extend(ctx.provider.map(webhook));
            out.extend(reminders(at.max(now), ctx));
            return out;
        }
        Happened::Visit(news) => {
            let staff = &ctx.provider_staff;
            match news {
                VisitNews::Confirmed => tell(staff, Message::VisitConfirmed { item: item() }, &mut out),
                VisitNews::Disputed => {
                    tell(&ctx.workers, Message::DisputedForWorkers { item: item() }, &mut out);
                    tell(staff, Message::DisputedForProvider { item: item() }, &mut out);
                }
                VisitNews::Resolved => {
                    tell(&resident, Message::DisputeResolvedForResident { item: item() }, &mut out);
                    tell(staff, Message::DisputeResolvedForProvider { item: item() }, &mut out);
                }
                VisitNews::ComplaintOpened => tell(staff, Message::ComplaintOpened { item: item() }, &mut out),
                VisitNews::ComplaintAnswered => {
                    tell(&ctx.workers, Message::ComplaintAnswered { item: item() }, &mut out);
                }
                VisitNews::ComplaintEscalated => {
                    tell(&ctx.workers, Message::ComplaintEscalated { item: item() }, &mut out);
                    tell(staff, Message::ComplaintEscalated { item: item() }, &mut out);
                }
            }
            out.extend(ctx.provider.map(webhook));
            return out;
        }
    };
    match to {
        OrderState::Submitted => tell(&resident, Message::OrderSubmitted { item: item() }, &mut out),
        OrderState::Offered => {
            for (provider, staff) in &ctx.offered {
                tell(staff, Message::OrderOffered { item: item() }, &mut out);
                out.push(webhook(*provider));
            }
        }
        OrderState::Accepted => {
            tell(&resident, Message::OrderAccepted { item: item() }, &mut out);
            for account in &resident {
                out.push(Notice::Sms { account: *account, message: Message::OrderAccepted { item: item() } });
            }
            out.extend(ctx.provider.map(webhook));
            out.extend(reminders(at.max(now), ctx));
        }
        OrderState::InService => tell(&resident, Message::ServiceStarted { item: item() }, &mut out),
        OrderState::Completed => {
            tell(&resident, Message::ServiceCompleted { item: item() }, &mut out);
            out.extend(ctx.provider.map(webhook));
        }
        OrderState::Escalated => {
            tell(&ctx.workers, Message::EscalatedForWorkers { item: item() }, &mut out);
            if ctx.high_risk {
                tell(&ctx.street_workers, Message::HighRiskForStreet { item: item() }, &mut out);
            }
            tell(&resident, Message::EscalatedForResident { item: item() }, &mut out);
        }
        OrderState::Cancelled => {
            tell(&resident, Message::CancelledForResident { item: item() }, &mut out);
            tell(&ctx.provider_staff, Message::CancelledForProvider { item: item() }, &mut out);
            out.extend(ctx.provider.map(webhook));
            out.push(Notice::CancelReminders);
        }
    }
    out
}

/// The appointment reminders of an order a provider holds, for the resident and the provider's staff; none
/// whose time has passed at `at`.
fn reminders(at: DateTime<Utc>, ctx: &EventContext) -> Vec<Notice> {
    let (Some(start), Some(_)) = (ctx.window_start, ctx.provider) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for kind in [ReminderKind::AppointmentDayBefore, ReminderKind::AppointmentHourBefore] {
        let due = kind.due_for(start);
        if due <= at {
            continue;
        }
        for account in ctx.resident.iter().chain(&ctx.provider_staff) {
            let hours = u32::try_from(kind.before().num_hours()).unwrap_or(24);
            let message = Message::AppointmentSoon { item: ctx.item_name.clone(), start, hours };
            out.push(Notice::Remind { account: *account, kind, due, message });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn account(n: u128) -> AccountId {
        AccountId(Uuid::from_u128(n))
    }

    fn accepted_at(at: DateTime<Utc>, start: DateTime<Utc>) -> Vec<Notice> {
        let ctx = EventContext {
            order: Some(OrderId(Uuid::from_u128(9))),
            item_name: "日常保洁".into(),
            resident: Some(account(1)),
            provider: Some(ProviderId(Uuid::from_u128(5))),
            provider_staff: vec![account(2)],
            window_start: Some(start),
            ..EventContext::default()
        };
        plan_notices(Uuid::from_u128(7), Happened::Moved(OrderState::Accepted), at, at, &ctx)
    }

    #[test]
    fn a_job_handed_back_tells_the_resident_by_text_and_calls_off_the_visits_reminders() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        let ctx =
            EventContext { item_name: "日常保洁".into(), resident: Some(account(1)), ..EventContext::default() };
        let notices = plan_notices(Uuid::from_u128(7), Happened::HandedBack, at, at, &ctx);
        let told = Message::HandedBack { item: "日常保洁".into() };
        assert!(notices.contains(&Notice::CancelReminders));
        assert!(notices.contains(&Notice::Inbox { account: account(1), message: told.clone() }));
        assert!(notices.contains(&Notice::Sms { account: account(1), message: told }));
    }

    #[test]
    fn an_accepted_booking_reminds_resident_and_provider_a_day_and_an_hour_before() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        let notices = accepted_at(start - TimeDelta::days(3), start);
        let reminders: Vec<_> = notices
            .iter()
            .filter_map(|n| match n {
                Notice::Remind { account, kind, due, message } => Some((*account, *kind, *due, message.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(reminders.len(), 4);
        assert!(reminders.contains(&(
            account(1),
            ReminderKind::AppointmentDayBefore,
            start - TimeDelta::days(1),
            Message::AppointmentSoon { item: "日常保洁".into(), start, hours: 24 }
        )));
        assert!(reminders.iter().any(|r| r.0 == account(2) && r.1 == ReminderKind::AppointmentHourBefore));
        assert!(notices.iter().any(|n| matches!(n, Notice::Sms { account: a, .. } if *a == account(1))));
        assert!(
            notices.iter().any(|n| matches!(n, Notice::Webhook { event_type, .. } if event_type == "order.accepted"))
        );
    }

    #[test]
    fn a_disputed_visit_tells_the_communitys_workers_and_the_providers_staff_not_the_resident() {
        let ctx = EventContext {
            order: Some(OrderId(Uuid::from_u128(9))),
            item_name: "助浴".into(),
            resident: Some(account(1)),
            provider: Some(ProviderId(Uuid::from_u128(5))),
            provider_staff: vec![account(2)],
            workers: vec![account(3)],
            ..EventContext::default()
        };
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        let notices = plan_notices(Uuid::from_u128(7), Happened::Visit(VisitNews::Disputed), at, at, &ctx);
        let told: Vec<AccountId> = notices
            .iter()
            .filter_map(|n| if let Notice::Inbox { account, .. } = n { Some(*account) } else { None })
            .collect();
        assert_eq!(told, vec![account(3), account(2)]);
        let hook = |n: &Notice| matches!(n, Notice::Webhook { event_type, .. } if event_type == "order.visit_disputed");
        assert!(notices.iter().any(hook));
    }

    #[test]
    fn a_high_risk_intake_is_told_to_the_streets_workers_at_once_and_an_ordinary_escalation_is_not() {
        let ctx = |high_risk| EventContext {
            order: Some(OrderId(Uuid::from_u128(9))),
            item_name: "物业纠纷调解".into(),
            resident: Some(account(1)),
            workers: vec![account(3)],
            street_workers: vec![account(4)],
            high_risk,
            ..EventContext::default()
        };
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        let street_told = |high_risk| {
            plan_notices(Uuid::from_u128(7), Happened::Moved(OrderState::Escalated), at, at, &ctx(high_risk))
                .iter()
                .any(|n| matches!(n, Notice::Inbox { account: to, message: Message::HighRiskForStreet { .. } } if *to == account(4)))
        };
        assert!(street_told(true));
        assert!(!street_told(false));
    }

    #[test]
    fn reminders_whose_time_has_passed_are_not_made() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        let notices = accepted_at(start - TimeDelta::hours(3), start);
        let kinds: Vec<_> = notices
            .iter()
            .filter_map(|n| if let Notice::Remind { kind, .. } = n { Some(*kind) } else { None })
            .collect();
        assert_eq!(kinds, vec![ReminderKind::AppointmentHourBefore, ReminderKind::AppointmentHourBefore]);
    }

    #[test]
    fn an_event_fanned_out_late_makes_no_reminder_already_due() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        let ctx = EventContext {
            resident: Some(account(1)),
            provider: Some(ProviderId(Uuid::from_u128(5))),
            window_start: Some(start),
            ..EventContext::default()
        };
        let accepted = start - TimeDelta::days(3);
        let late = start - TimeDelta::hours(3);
        let notices = plan_notices(Uuid::from_u128(7), Happened::Moved(OrderState::Accepted), accepted, late, &ctx);
        let kinds: Vec<_> = notices
            .iter()
            .filter_map(|n| if let Notice::Remind { kind, .. } = n { Some(*kind) } else { None })
            .collect();
        assert_eq!(kinds, vec![ReminderKind::AppointmentHourBefore]);
    }

    #[test]
    fn a_reminder_fits_only_an_order_still_accepted_for_the_same_time() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        let kind = ReminderKind::AppointmentHourBefore;
        let due = kind.due_for(start);
        assert!(kind.still_fits(due, OrderState::Accepted, Some(start)));
        assert!(!kind.still_fits(due, OrderState::Cancelled, Some(start)));
        assert!(!kind.still_fits(due, OrderState::Accepted, Some(start + TimeDelta::days(1))));
    }

    #[test]
    fn a_cancelled_order_calls_off_its_reminders() {
        let ctx = EventContext { resident: Some(account(1)), ..EventContext::default() };
        let notices =
            plan_notices(Uuid::from_u128(7), Happened::Moved(OrderState::Cancelled), Utc::now(), Utc::now(), &ctx);
        assert!(notices.contains(&Notice::CancelReminders));
    }

    #[test]
    fn a_rescheduled_booking_calls_off_its_reminders_before_making_the_new_ones() {
        let start = Utc.with_ymd_and_hms(2026, 12, 5, 2, 0, 0).unwrap();
        let ctx = EventContext {
            resident: Some(account(1)),
            provider: Some(ProviderId(Uuid::from_u128(5))),
            provider_staff: vec![account(2)],
            window_start: Some(start),
            ..EventContext::default()
        };
        let three_days_before = start - TimeDelta::days(3);
        let notices =
            plan_notices(Uuid::from_u128(7), Happened::Rescheduled, three_days_before, three_days_before, &ctx);
        assert_eq!(notices.first(), Some(&Notice::CancelReminders));
        assert_eq!(notices.iter().filter(|n| matches!(n, Notice::Remind { .. })).count(), 4);
        assert!(
            notices
                .iter()
                .any(|n| matches!(n, Notice::Webhook { event_type, .. } if event_type == "order.rescheduled"))
        );
    }

    #[test]
    fn reminder_kinds_round_trip_through_their_names() {
        for kind in [ReminderKind::AppointmentDayBefore, ReminderKind::AppointmentHourBefore] {
            assert_eq!(ReminderKind::parse(kind.as_str()), Some(kind));
        }
    }
}
