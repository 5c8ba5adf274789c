//! Notifications over HTTP: each account's inbox; an organization's webhook endpoint and its signing secret;
//! and for admins, deliveries that died (with replay) and how the scheduled jobs are running.

use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use linli_domain::notifications::records::{DeliveryRecord, InboxRecord, JobRunRecord, WebhookRecord};
use linli_domain::paging::{Page, PageRequest};
use linli_domain::words::Lang;

use super::choices::DeliveryStateName;
use super::{ApiTags, lang_of, page_size};
use super::{PageLimit, limit_of};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::problems;
use crate::state::AppState;

pub struct NotificationsApi;

/// One message in an inbox.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MessageView {
    id: Uuid,
    title: String,
    body: String,
    order_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl MessageView {
    /// The message worded in `lang`.
    fn worded(m: InboxRecord, lang: Lang) -> Self {
        let (title, body) = m.worded(lang);
        Self { id: m.id, title, body, order_id: m.order_id, created_at: m.created_at, read_at: m.read_at }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MessageList {
    messages: Vec<MessageView>,
    /// Pass as `before` for the next page; absent on the last.
    next_before: Option<Uuid>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct UnreadCount {
    unread: u64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MarkedRead {
    marked: u64,
}

/// Where your organization's system receives events.
#[derive(Object, serde::Deserialize)]
#[oai(skip_serializing_if_is_none)]
struct WebhookRequest {
    /// An http:// or https:// URL.
    url: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct WebhookView {
    url: String,
    updated_at: DateTime<Utc>,
    /// The signing secret, shown only when it is made (first set, or rotated). Keep it: it is not shown again.
    secret: Option<String>,
}

impl From<WebhookRecord> for WebhookView {
    fn from(w: WebhookRecord) -> Self {
        Self { url: w.url, updated_at: w.updated_at, secret: w.new_secret }
    }
}

#[derive(ApiResponse)]
enum WebhookRemoved {
    /// No events are sent any more.
    #[oai(status = 204)]
    Removed,
}

/// A webhook call or SMS and how its attempts went.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct DeliveryView {
    id: Uuid,
    /// `webhook` or `sms`.
    channel: String,
    event_type: String,
    /// `pending`, `delivered` or `dead`.
    state: String,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

impl From<DeliveryRecord> for DeliveryView {
    fn from(d: DeliveryRecord) -> Self {
        Self {
            id: d.id,
            channel: d.channel,
            event_type: d.event_type,
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct DeliveryList {
    deliveries: Vec<DeliveryView>,
}

/// How one scheduled job's runs went (across every jobs process).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct JobView {
    job: String,
    last_started_at: Option<DateTime<Utc>>,
    last_finished_at: Option<DateTime<Utc>>,
    last_duration_ms: i64,
    /// What the last recorded run did (orders, messages, deliveries…).
    last_count: i64,
    last_error: Option<String>,
    runs: i64,
    failures: i64,
    /// For a once-a-day job, the last day's slot it ran for.
    last_slot: Option<DateTime<Utc>>,
}

impl From<JobRunRecord> for JobView {
    fn from(j: JobRunRecord) -> Self {
        Self {
            job: j.job,
            last_started_at: j.last_started_at,
            last_finished_at: j.last_finished_at,
            last_duration_ms: j.last_duration_ms,
            last_count: j.last_count,
            last_error: j.last_error,
            runs: j.runs,
            failures: j.failures,
            last_slot: j.last_slot,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct JobList {
    jobs: Vec<JobView>,
}

problems!(
    /// What `GET /inbox` can answer besides its success.
    InboxProblems: BadRequest, Unauthorized
);
problems!(
    /// What `GET /inbox/unread-count` can answer besides its success.
    UnreadCountProblems: Unauthorized
);
problems!(
    /// What `POST /inbox/:id/read` can answer besides its success.
    MarkReadProblems: BadRequest, Unauthorized, NotFound
);
problems!(
    /// What `POST /inbox/read-all` can answer besides its success.
    MarkAllReadProblems: Unauthorized
);
problems!(
    /// What `GET /provider/webhook` can answer besides its success.
    WebhookProblems: Unauthorized, Forbidden, NotFound
);
problems!(
    /// What `PUT /provider/webhook` can answer besides its success.
    SetWebhookProblems: BadRequest, Unauthorized, Forbidden, PayloadTooLarge, UnsupportedMediaType
);
problems!(
    /// What `POST /provider/webhook/rotate-secret` can answer besides its success.
    RotateSecretProblems: Unauthorized, Forbidden, NotFound
);
problems!(
    /// What `DELETE /provider/webhook` can answer besides its success.
    RemoveWebhookProblems: Unauthorized, Forbidden, NotFound
);
problems!(
    /// What `GET /admin/deliveries` can answer besides its success.
    DeliveriesProblems: BadRequest, Unauthorized, Forbidden
);
problems!(
    /// What `POST /admin/deliveries/:id/replay` can answer besides its success.
    ReplayProblems: BadRequest, Unauthorized, Forbidden, NotFound
);
problems!(
    /// What `GET /admin/jobs` can answer besides its success.
    JobsProblems: Unauthorized, Forbidden
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Notifications")]
impl NotificationsApi {
    /// Your messages, newest first, in the language `Accept-Language` asks for, else the one your account
    /// chose, else Chinese.
    #[oai(path = "/inbox", method = "get")]
    async fn inbox(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        /// Only messages not read yet.
        unread: Query<Option<bool>>,
        /// Messages older than this one (the `next_before` of the previous page).
        before: Query<Option<Uuid>>,
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<MessageList>, InboxProblems> {
        let size = page_size(limit_of(limit.0))?;
        let rows = state.notifications.inbox(&auth.0.actor(), unread.0.unwrap_or(false), before.0, size + 1).await?;
        let page = Page::of(rows, size);
        let next_before = if page.more { page.rows.last().map(|m| m.id) } else { None };
        let lang = lang_of(req, &auth.0);
        let messages = page.rows.into_iter().map(|m| MessageView::worded(m, lang)).collect();
        Ok(Json(MessageList { messages, next_before }))
    }

    /// How many of your messages are unread.
    #[oai(path = "/inbox/unread-count", method = "get")]
    async fn unread_count(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<Json<UnreadCount>, UnreadCountProblems> {
        Ok(Json(UnreadCount { unread: state.notifications.unread_count(&auth.0.actor()).await? }))
    }

    /// Mark one message read.
    #[oai(path = "/inbox/:id/read", method = "post")]
    async fn mark_read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<UnreadCount>, MarkReadProblems> {
        Ok(Json(UnreadCount { unread: state.notifications.mark_read(&auth.0.actor(), id.0).await? }))
    }

    /// Mark every message read.
    #[oai(path = "/inbox/read-all", method = "post")]
    async fn mark_all_read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<Json<MarkedRead>, MarkAllReadProblems> {
        Ok(Json(MarkedRead { marked: state.notifications.mark_all_read(&auth.0.actor()).await? }))
    }

    /// Your organization's webhook endpoint.
    #[oai(path = "/provider/webhook", method = "get")]
    async fn webhook(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<WebhookView>, WebhookProblems> {
        Ok(Json(state.notifications.webhook(&auth.0.actor()).await?.into()))
    }

    /// Set where your organization's system receives events: a JSON POST for each event about your orders,
    /// signed in the `Linli-Signature` header (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`). The
    /// first time, the answer carries the signing secret.
    #[oai(path = "/provider/webhook", method = "put")]
    async fn set_webhook(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<WebhookRequest>,
    ) -> Result<Json<WebhookView>, SetWebhookProblems> {
        Ok(Json(state.notifications.set_webhook(&auth.0.actor(), &body.url).await?.into()))
    }

    /// Replace the signing secret; the answer carries the new one, and the old one stops working at once.
    #[oai(path = "/provider/webhook/rotate-secret", method = "post")]
    async fn rotate_secret(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<Json<WebhookView>, RotateSecretProblems> {
        Ok(Json(state.notifications.rotate_webhook_secret(&auth.0.actor()).await?.into()))
    }

    /// Stop sending events to your organization's system.
    #[oai(path = "/provider/webhook", method = "delete")]
    async fn remove_webhook(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<WebhookRemoved, RemoveWebhookProblems> {
        state.notifications.remove_webhook(&auth.0.actor()).await?;
        Ok(WebhookRemoved::Removed)
    }

    /// Webhook calls and SMS, newest first; `state=dead` lists the dead letters.
    #[oai(path = "/admin/deliveries", method = "get")]
    async fn deliveries(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(name = "state")] which: Query<Option<DeliveryStateName>>,
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<DeliveryList>, DeliveriesProblems> {
        let rows = state
            .notifications
            .deliveries(
                &auth.0.actor(),
                which.0.map(DeliveryStateName::as_str),
                PageRequest::new(limit_of(limit.0), None),
            )
            .await?;
        Ok(Json(DeliveryList { deliveries: rows.into_iter().map(DeliveryView::from).collect() }))
    }

    /// Try a dead delivery again, with a fresh set of attempts.
    #[oai(path = "/admin/deliveries/:id/replay", method = "post")]
    async fn replay(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<DeliveryView>, ReplayProblems> {
        Ok(Json(state.notifications.replay_delivery(&auth.0.actor(), id.0).await?.into()))
    }

    /// How each scheduled job is running: last run, what it did, failures and the last error.
    #[oai(path = "/admin/jobs", method = "get")]
    async fn jobs(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<JobList>, JobsProblems> {
        let jobs = state.notifications.job_runs(&auth.0.actor()).await?;
        Ok(Json(JobList { jobs: jobs.into_iter().map(JobView::from).collect() }))
    }
}
