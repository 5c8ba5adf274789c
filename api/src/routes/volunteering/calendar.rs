//! Calendar feeds: each person's shifts and their provider's accepted appointments as an iCalendar feed
//! (RFC 5545) that a calendar application subscribes to with a private URL. The token in the URL is the only
//! credential, so it can be replaced (the old URL stops working) or removed.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi, ResponseContent};

use crate::auth::BearerAuth;
use crate::ical;
use crate::problem::problems;
use crate::routes::ApiTags;
use crate::state::AppState;

pub struct CalendarApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct FeedView {
    /// Subscribe to this in a calendar application. Keep it private: it is the only key to your calendar.
    url: String,
}

#[derive(ResponseContent)]
enum IcsContent {
    #[oai(content_type = "text/calendar; charset=utf-8")]
    Calendar(PlainText<String>),
}

#[derive(ApiResponse)]
enum CalendarFeed {
    #[oai(status = 200)]
    Ok(IcsContent),
}

#[derive(ApiResponse)]
enum FeedRemoved {
    #[oai(status = 204)]
    Removed,
}

problems!(
    /// What `POST /me/calendar-feed` can answer besides its success.
    MakeProblems: Unauthorized
);
problems!(
    /// What `DELETE /me/calendar-feed` can answer besides its success.
    RemoveProblems: Unauthorized, NotFound
);
problems!(
    /// What `GET /calendar/:token` can answer besides its success.
    FeedProblems: BadRequest, NotFound
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Volunteering")]
impl CalendarApi {
    /// Make (or replace) your private calendar feed URL: your confirmed shifts and, for provider staff and Party
    /// members taking orders, the appointments from acceptance on. A replaced URL stops working.
    #[oai(path = "/me/calendar-feed", method = "post")]
    async fn make(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<FeedView>, MakeProblems> {
        let token = state.volunteering.new_calendar_feed(&auth.0.actor()).await?;
        Ok(Json(FeedView { url: format!("/api/v1/calendar/{token}.ics") }))
    }

    /// Stop your calendar feed.
    #[oai(path = "/me/calendar-feed", method = "delete")]
    async fn remove(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<FeedRemoved, RemoveProblems> {
        state.volunteering.remove_calendar_feed(&auth.0.actor()).await?;
        Ok(FeedRemoved::Removed)
    }

    /// The feed itself, in iCalendar format with Asia/Shanghai times. No bearer token: the URL is the key.
    #[oai(path = "/calendar/:token", method = "get")]
    async fn feed(&self, state: Data<&AppState>, token: Path<String>) -> Result<CalendarFeed, FeedProblems> {
        let token = token.0.strip_suffix(".ics").unwrap_or(&token.0).to_owned();
        let feed = state.volunteering.calendar_feed(&token).await?;
        let name = format!("邻里 · {}", feed.owner.display_name);
        Ok(CalendarFeed::Ok(IcsContent::Calendar(PlainText(ical::render(&name, &feed.entries, feed.at)))))
    }
}
