//! An account's live stream (server-sent events): what its open pages should read again now. The notifier
//! publishes each order's notices, and the volunteering use cases each roster change, from whichever process
//! they run in, through the deployment's broadcast; every `serve` replica hands its streams the ones for their
//! account.

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use poem::web::Data;
use poem_openapi::payload::EventStream;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use linli_domain::notifications::{LiveKind, LiveNotice};

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::problem::problems;
use crate::state::AppState;

pub struct LiveApi;

problems!(
    /// What `GET /live` can answer besides its stream.
    LiveProblems: Unauthorized
);

/// What changed.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum LiveKindView {
    /// An order you follow moved: read it again.
    Order,
    /// An offer to your provider came or went: read `GET /offers` again.
    Offer,
    /// A message arrived: read `GET /inbox` again.
    Inbox,
    /// A shift's roster changed (`shift_id`): read the roster, or your own shifts, again. Sent to the people
    /// on the shift and to the organizers of its community.
    Roster,
    /// Notices may have been missed: read everything you show again.
    Resync,
}

/// One event of the stream.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct LiveEventView {
    pub kind: LiveKindView,
    pub order_id: Option<Uuid>,
    /// The order's state after the change, when it moved.
    pub state: Option<String>,
    /// The shift whose roster changed.
    pub shift_id: Option<Uuid>,
}

impl From<LiveNotice> for LiveEventView {
    fn from(n: LiveNotice) -> Self {
        let kind = match n.kind {
            LiveKind::Order => LiveKindView::Order,
            LiveKind::Offer => LiveKindView::Offer,
            LiveKind::Inbox => LiveKindView::Inbox,
            LiveKind::Roster => LiveKindView::Roster,
            LiveKind::Resync => LiveKindView::Resync,
        };
        Self {
            kind,
            order_id: n.order.map(|o| o.0),
            state: n.state.map(|s| s.as_str().to_owned()),
            shift_id: n.shift.map(|s| s.0),
        }
    }
}

/// A comment line this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Notifications")]
impl LiveApi {
    /// Your live stream, as server-sent events: each says what to read again (an order, your offers, your
    /// inbox, a shift's roster). Works across `serve` replicas and a separate `jobs` process. A `resync` event means some were
    /// missed; read everything again, as after reconnecting.
    #[oai(path = "/live", method = "get")]
    async fn live(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<EventStream<BoxStream<'static, LiveEventView>>, LiveProblems> {
        let feed = state.live.open(&auth.0.actor());
        let events = futures_util::stream::unfold(feed, |mut feed| async move {
            feed.next().await.map(|notice| (LiveEventView::from(notice), feed))
        })
        // A stopping process ends its streams, and the pages reconnect to another replica.
        .take_until(state.stop.requested());
        Ok(EventStream::new(events.boxed()).keep_alive(KEEP_ALIVE))
    }
}
