//! Who is told what about an order event: the pure fan-out of one event into inbox messages, webhook calls, SMS
//! and reminders.

use chrono::{DateTime, TimeDelta, Utc};

use crate::accounts::AccountId;
use crate::orders::{OrderId, OrderState};
use crate::providers::ProviderId;
use crate::time::shanghai;

/// What happened to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Happened {
    /// It moved to this state.
    Moved(OrderState),
    /// Its appointment window changed; the state did not.
    Rescheduled,
    /// The resident (or Linli, when they did not answer) said something of the completed visit.
    Visit(VisitNews),
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

    /// The inbox title of the reminder.
    pub fn title(self) -> &'static str {
        match self {
            ReminderKind::AppointmentDayBefore => "预约提醒：明天有服务",
            ReminderKind::AppointmentHourBefore => "预约提醒：一小时后开始服务",
            ReminderKind::ShiftDayBefore => "班次提醒：明天有志愿服务",
        }
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
    /// When the appointment's window opens, for an order booked for a time.
    pub window_start: Option<DateTime<Utc>>,
}

/// One thing to tell someone.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Inbox {
        account: AccountId,
        title: String,
        body: String,
    },
    Webhook {
        provider: ProviderId,
        event_type: String,
        body: String,
    },
    Sms {
        account: AccountId,
        text: String,
    },
    Remind {
        account: AccountId,
        kind: ReminderKind,
        due: DateTime<Utc>,
        text: String,
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
    let item = &ctx.item_name;
    let mut out = Vec::new();
    let event_type = match happened {
        Happened::Moved(to) => format!("order.{}", to.as_str()),
        Happened::Rescheduled => "order.rescheduled".to_owned(),
        Happened::Visit(news) => news.event_type().to_owned(),
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
    let tell = |accounts: &[AccountId], title: &str, body: String, out: &mut Vec<Notice>| {
        for account in accounts {
            out.push(Notice::Inbox { account: *account, title: title.to_owned(), body: body.clone() });
        }
    };
    let resident: Vec<AccountId> = ctx.resident.into_iter().collect();
    let to = match happened {
        Happened::Moved(to) => to,
        Happened::Rescheduled => {
            let when = ctx.window_start.map(|s| s.with_timezone(&shanghai()).format("%m月%d日 %H:%M").to_string());
            let when = when.unwrap_or_else(|| "尽快".to_owned());
            // The old reminders go, and the new window's are made as for a fresh acceptance.
            out.push(Notice::CancelReminders);
            tell(&resident, "预约时间已更改", format!("您的「{item}」预约已改到{when}。"), &mut out);
            tell(&ctx.provider_staff, "预约时间已更改", format!("一笔「{item}」订单的预约已改到{when}。"), &mut out);
            out.extend(ctx.provider.map(webhook));
            out.extend(reminders(item, at.max(now), ctx));
            return out;
        }
        Happened::Visit(news) => {
            let staff = &ctx.provider_staff;
            match news {
                VisitNews::Confirmed => {
                    tell(staff, "服务已确认", format!("一笔「{item}」订单的服务已确认完成。"), &mut out);
                }
                VisitNews::Disputed => {
                    let text = format!("一笔「{item}」订单的居民对服务有异议，请尽快核实处理。");
                    tell(&ctx.workers, "居民对服务有异议", text, &mut out);
                    let text = format!("一笔「{item}」订单的居民对服务有异议，社区工作人员将与您联系。");
                    tell(staff, "居民对服务有异议", text, &mut out);
                }
                VisitNews::Resolved => {
                    let text = format!("您对「{item}」服务提出的异议，社区工作人员已处理完毕。");
                    tell(&resident, "异议已处理", text, &mut out);
                    tell(staff, "异议已处理", format!("一笔「{item}」订单的服务异议已处理完毕。"), &mut out);
                }
                VisitNews::ComplaintOpened => {
                    let text = format!("社区对一笔「{item}」订单的服务提出投诉，请在期限内答复。");
                    tell(staff, "收到投诉", text, &mut out);
                }
                VisitNews::ComplaintAnswered => {
                    let text = format!("服务方已答复对「{item}」订单的投诉。");
                    tell(&ctx.workers, "投诉已答复", text, &mut out);
                }
                VisitNews::ComplaintEscalated => {
                    let text = format!("对「{item}」订单的投诉超过期限未答复，已升级处理。");
                    tell(&ctx.workers, "投诉超期未答复", text.clone(), &mut out);
                    tell(staff, "投诉超期未答复", text, &mut out);
                }
            }
            out.extend(ctx.provider.map(webhook));
            return out;
        }
    };
    match to {
        OrderState::Submitted => {
            tell(&resident, "订单已提交", format!("您的「{item}」订单已提交，正在为您寻找服务方。"), &mut out)
        }
        OrderState::Offered => {
            for (provider, staff) in &ctx.offered {
                tell(staff, "新的派单", format!("有一笔「{item}」订单等您接单。"), &mut out);
                out.push(webhook(*provider));
            }
        }
        OrderState::Accepted => {
            let text = format!("您的「{item}」订单已被接单，服务方会按约定时间上门。");
            tell(&resident, "订单已被接单", text.clone(), &mut out);
            for account in &resident {
                out.push(Notice::Sms { account: *account, text: format!("【邻里】{text}") });
            }
            out.extend(ctx.provider.map(webhook));
            out.extend(reminders(item, at.max(now), ctx));
        }
        OrderState::InService => tell(&resident, "服务已开始", format!("您的「{item}」服务已开始。"), &mut out),
        OrderState::Completed => {
            tell(
                &resident,
                "服务已完成",
                format!("您的「{item}」服务已完成，请在订单页确认服务，如有问题可提出异议。"),
                &mut out,
            );
            out.extend(ctx.provider.map(webhook));
        }
        OrderState::Escalated => {
            tell(&ctx.workers, "订单待人工处理", format!("一笔「{item}」订单没有服务方接单，请指派或关闭。"), &mut out);
            tell(&resident, "订单转人工处理", format!("您的「{item}」订单已转社区工作人员处理。"), &mut out);
        }
        OrderState::Cancelled => {
            tell(&resident, "订单已取消", format!("您的「{item}」订单已取消。"), &mut out);
            tell(&ctx.provider_staff, "订单已取消", format!("一笔「{item}」订单已取消。"), &mut out);
            out.extend(ctx.provider.map(webhook));
            out.push(Notice::CancelReminders);
        }
    }
    out
}

/// The appointment reminders of an order a provider holds, for the resident and the provider's staff; none
/// whose time has passed at `at`.
fn reminders(item: &str, at: DateTime<Utc>, ctx: &EventContext) -> Vec<Notice> {
    let (Some(start), Some(_)) = (ctx.window_start, ctx.provider) else {
        return Vec::new();
    };
    let when = start.with_timezone(&shanghai()).format("%m月%d日 %H:%M");
    let mut out = Vec::new();
    for kind in [ReminderKind::AppointmentDayBefore, ReminderKind::AppointmentHourBefore] {
        let due = kind.due_for(start);
        if due <= at {
            continue;
        }
        for account in ctx.resident.iter().chain(&ctx.provider_staff) {
            let text = format!("「{item}」服务将于{when}开始。");
            out.push(Notice::Remind { account: *account, kind, due, text });
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
    fn an_accepted_booking_reminds_resident_and_provider_a_day_and_an_hour_before() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        let notices = accepted_at(start - TimeDelta::days(3), start);
        let reminders: Vec<_> = notices
            .iter()
            .filter_map(|n| match n {
                Notice::Remind { account, kind, due, text } => Some((*account, *kind, *due, text.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(reminders.len(), 4);
        assert!(reminders.contains(&(
            account(1),
            ReminderKind::AppointmentDayBefore,
            start - TimeDelta::days(1),
            "「日常保洁」服务将于12月03日 10:00开始。".to_owned()
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
