//! Rows to domain values. A row that does not parse means the database holds what no code of ours wrote; that
//! is reported as unexpected rather than guessed around.

use linli_domain::accounts::AccountId;
use linli_domain::catalog::{CatalogItem, Category, DispatchMode, Fen, ItemId, Routing};
use linli_domain::error::Unexpected;
use linli_domain::geo::{CommunityId, GeoPoint};
use linli_domain::orders::plans::CarePlanId;
use linli_domain::orders::{Offer, Order, OrderEvent, OrderId, Schedule};
use linli_domain::providers::ProviderId;
use linli_domain::time::TimeWindow;

use crate::entities::{catalog_item, order, order_event, order_offer};

#[derive(Debug, thiserror::Error)]
#[error("unreadable {what} in row {row}: {value:?}")]
pub struct CorruptRow {
    what: &'static str,
    row: String,
    value: String,
}

/// `LOWER(column) LIKE '%text%'` (the text lowered too), with `%`, `_` and `\` in what a person typed matched
/// as themselves, not as wildcards: a search for `50%` finds what contains `50%`. Lowering both sides makes
/// PostgreSQL match letters in any case as SQLite's LIKE does.
pub(crate) fn containing<C: sea_orm::ColumnTrait>(column: C, text: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(column.as_column_ref()))).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

pub(crate) fn corrupt(what: &'static str, row: impl ToString, value: impl ToString) -> Unexpected {
    Unexpected::new("reading a row", CorruptRow { what, row: row.to_string(), value: value.to_string() })
}

pub(crate) fn point(row: impl ToString, lat: f64, lng: f64) -> Result<GeoPoint, Unexpected> {
    GeoPoint::parse(lat, lng).map_err(|_| corrupt("location", row, format!("{lat},{lng}")))
}

pub(crate) fn order(m: order::Model) -> Result<Order, Unexpected> {
    let schedule = match (m.window_start, m.window_end) {
        (Some(start), Some(end)) => Schedule::Window(TimeWindow::from_stored(start, end)),
        _ => Schedule::Asap,
    };
    Ok(Order {
        id: OrderId(m.id),
        resident: AccountId(m.resident_id),
        placed_by: AccountId(m.placed_by),
        item: ItemId(m.item_id),
        community: CommunityId(m.community_id),
        location: point(m.id, m.lat, m.lng)?,
        state: m.state.into(),
        address: m.address,
        schedule,
        notes: m.notes,
        provider: m.provider_id.map(ProviderId),
        scope: m.scope.into(),
        round: u32::try_from(m.round).unwrap_or(0),
        accept_by: m.accept_by,
        high_risk: m.high_risk,
        assignee: m.assignee_id.map(AccountId),
        answers: serde_json::from_str(&m.answers).map_err(|e| Unexpected::new("reading an order's answers", e))?,
        plan: m.plan_id.map(CarePlanId),
        preferred: m.preferred_provider_id.map(ProviderId),
        placed_at: m.placed_at,
        updated_at: m.updated_at,
    })
}

pub(crate) fn event(m: order_event::Model) -> Result<OrderEvent, Unexpected> {
    Ok(OrderEvent {
        at: m.at,
        from: m.from_state.map(Into::into),
        to: m.to_state.into(),
        actor: m.actor_id.map(AccountId),
        note: m.note,
    })
}

pub(crate) fn offer(m: order_offer::Model) -> Result<Offer, Unexpected> {
    Ok(Offer {
        order: OrderId(m.order_id),
        provider: ProviderId(m.provider_id),
        status: m.status.into(),
        offered_at: m.offered_at,
        deadline: m.deadline,
        explanation: m.explanation,
    })
}

pub(crate) fn item(m: catalog_item::Model) -> Result<CatalogItem, Unexpected> {
    Ok(CatalogItem {
        id: ItemId(m.id),
        category: Category::parse(&m.category).ok_or_else(|| corrupt("category", m.id, &m.category))?,
        mode: DispatchMode::parse(&m.mode).ok_or_else(|| corrupt("dispatch mode", m.id, &m.mode))?,
        code: m.code,
        name: m.name,
        description: m.description,
        duration_minutes: m.duration_minutes,
        price: Fen(m.price_fen),
        routing: Routing::parse(&m.routing).ok_or_else(|| corrupt("routing", m.id, &m.routing))?,
        offer_ttl_seconds: m.offer_ttl_seconds.and_then(|s| u32::try_from(s).ok()),
        broadcast_k: u32::try_from(m.broadcast_k).unwrap_or(1).max(1),
        max_rounds: u32::try_from(m.max_rounds).unwrap_or(1).max(1),
        questions: serde_json::from_str(&m.questions).map_err(|_| corrupt("questions", m.id, &m.questions))?,
        retired_at: m.retired_at,
    })
}
