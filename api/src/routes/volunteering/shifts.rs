//! Sign-ups and attendance: taking and giving up a place, checking in and out with the code the organizer shows
//! (or by the organizer), and the roster with its CSV export.

use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::time::shanghai;
use linli_domain::volunteering::ShiftId;
use linli_domain::volunteering::desk::{Attendance, AttendanceWay};
use linli_domain::volunteering::model::{Roster, SignupRecord};

use super::{ShiftView, SignupView};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::limits::{Rule, client_of};
use crate::problem::problems;
use crate::routes::ApiTags;
use crate::routes::csv::{CsvContent, csv_line};
use crate::state::AppState;

pub struct ShiftsApi;

#[derive(ApiResponse)]
enum SignedUp {
    /// A place, or a place on the wait-list (see `state` and `wait_list_position`).
    #[oai(status = 201)]
    Created(Json<SignupView>),
    /// You were signed up already: the place you hold.
    #[oai(status = 200)]
    Already(Json<SignupView>),
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
struct CodeBody {
    /// The six digits the organizer shows at the shift.
    code: String,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
struct AttendanceBody {
    /// Whose attendance.
    account_id: Uuid,
    action: AttendanceAction,
}

/// What the organizer records.
#[derive(poem_openapi::Enum, Deserialize, Clone, Copy, Debug)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
enum AttendanceAction {
    CheckIn,
    CheckOut,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MyShift {
    signup: SignupView,
    shift: ShiftView,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MyShifts {
    shifts: Vec<MyShift>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct RosterView {
    shift: ShiftView,
    /// Show it at the shift: people check themselves in and out with it.
    check_code: String,
    confirmed: Vec<SignupView>,
    /// In the order people will move up.
    wait_list: Vec<SignupView>,
    cancelled: Vec<SignupView>,
    checked_in: u32,
    no_shows: u32,
    late_cancellations: u32,
}

impl From<Roster> for RosterView {
    fn from(r: Roster) -> Self {
        let count =
            |f: &dyn Fn(&SignupRecord) -> bool, rows: &[SignupRecord]| rows.iter().filter(|s| f(s)).count() as u32;
        Self {
            checked_in: count(&|s| s.checked_in_at.is_some(), &r.confirmed),
            no_shows: count(&|s| s.no_show, &r.confirmed),
            late_cancellations: count(&|s| s.late_cancel, &r.cancelled),
            shift: r.shift.into(),
            check_code: r.check_code,
            confirmed: r.confirmed.into_iter().map(Into::into).collect(),
            wait_list: r.wait_list.into_iter().map(Into::into).collect(),
            cancelled: r.cancelled.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(ApiResponse)]
enum RosterCsv {
    /// The roster as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese right).
    #[oai(status = 200)]
    Ok(CsvContent, #[oai(header = "Content-Disposition")] String),
}

problems!(
    /// What `POST /shifts/:id/signups` can answer besides its success.
    SignUpProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict
);
problems!(
    /// What `DELETE /shifts/:id/signups/me` can answer besides its success.
    CancelProblems: BadRequest, Unauthorized, NotFound, Conflict
);
problems!(
    /// What `GET /me/shifts` can answer besides its success.
    MineProblems: Unauthorized
);
problems!(
    /// What `POST /shifts/:id/check-in` can answer besides its success.
    CheckInProblems: BadRequest, Unauthorized, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable,
        TooManyRequests
);
problems!(
    /// What `POST /shifts/:id/check-out` can answer besides its success.
    CheckOutProblems: BadRequest, Unauthorized, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `POST /shifts/:id/attendance` can answer besides its success.
    AttendanceProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `GET /shifts/:id/roster` can answer besides its success.
    RosterProblems: BadRequest, Unauthorized, Forbidden, NotFound
);
problems!(
    /// What `GET /shifts/:id/roster.csv` can answer besides its success.
    RosterCsvProblems: BadRequest, Unauthorized, Forbidden, NotFound
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Volunteering")]
impl ShiftsApi {
    /// Sign up for a shift: a place while there is one, the wait-list after (moved up in order when someone
    /// cancels). You cannot hold two shifts at the same time; signing up twice is harmless.
    #[oai(path = "/shifts/:id/signups", method = "post")]
    async fn sign_up(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<SignedUp, SignUpProblems> {
        let (record, created) = state.volunteering.sign_up(&auth.0.actor(), ShiftId(id.0)).await?;
        Ok(if created { SignedUp::Created(Json(record.into())) } else { SignedUp::Already(Json(record.into())) })
    }

    /// Give up your place or wait-list place. Within 24 hours of the start this is recorded as a late
    /// cancellation. Your place goes to the first on the wait-list, who is told.
    #[oai(path = "/shifts/:id/signups/me", method = "delete")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<SignupView>, CancelProblems> {
        Ok(Json(state.volunteering.cancel_signup(&auth.0.actor(), ShiftId(id.0)).await?.into()))
    }

    /// Your shifts from a week ago on, in time order, with your place on each.
    #[oai(path = "/me/shifts", method = "get")]
    async fn mine(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<MyShifts>, MineProblems> {
        let rows = state.volunteering.my_shifts(&auth.0.actor()).await?;
        let shifts = rows.into_iter().map(|(s, shift)| MyShift { signup: s.into(), shift: shift.into() }).collect();
        Ok(Json(MyShifts { shifts }))
    }

    /// Check yourself in with the code the organizer shows (from an hour before the start).
    #[oai(path = "/shifts/:id/check-in", method = "post")]
    async fn check_in(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<CodeBody>,
    ) -> Result<Json<SignupView>, CheckInProblems> {
        let actor = auth.0.actor();
        // The code is a few digits: without a limit it could be guessed.
        state.limits.check(Rule::CheckIn, client_of(req), Some(&actor.account.0.to_string())).await?;
        let done = state.volunteering.attend(&actor, ShiftId(id.0), Attendance::OwnCode(&body.code), AttendanceWay::In);
        Ok(Json(done.await?.into()))
    }

    /// Check yourself out with the code, once the shift has started; the time inside the shift counts as
    /// service hours.
    #[oai(path = "/shifts/:id/check-out", method = "post")]
    async fn check_out(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<CodeBody>,
    ) -> Result<Json<SignupView>, CheckOutProblems> {
        let actor = auth.0.actor();
        let done =
            state.volunteering.attend(&actor, ShiftId(id.0), Attendance::OwnCode(&body.code), AttendanceWay::Out);
        Ok(Json(done.await?.into()))
    }

    /// The organizer checks someone in or out.
    #[oai(path = "/shifts/:id/attendance", method = "post")]
    async fn attendance(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<AttendanceBody>,
    ) -> Result<Json<SignupView>, AttendanceProblems> {
        let way = match body.action {
            AttendanceAction::CheckIn => AttendanceWay::In,
            AttendanceAction::CheckOut => AttendanceWay::Out,
        };
        let by = Attendance::ByOrganizer(AccountId(body.account_id));
        Ok(Json(state.volunteering.attend(&auth.0.actor(), ShiftId(id.0), by, way).await?.into()))
    }

    /// The shift's roster: the check-in code, who is confirmed, the wait-list in order, who cancelled, and
    /// attendance.
    #[oai(path = "/shifts/:id/roster", method = "get")]
    async fn roster(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<RosterView>, RosterProblems> {
        Ok(Json(state.volunteering.roster(&auth.0.actor(), ShiftId(id.0)).await?.into()))
    }

    /// The roster as a CSV file, one row per person in roster order.
    #[oai(path = "/shifts/:id/roster.csv", method = "get")]
    async fn roster_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<RosterCsv, RosterCsvProblems> {
        let roster = state.volunteering.roster(&auth.0.actor(), ShiftId(id.0)).await?;
        let name = format!("attachment; filename=\"roster-{}.csv\"", id.0);
        Ok(RosterCsv::Ok(CsvContent::Csv(PlainText(roster_csv(&roster))), name))
    }
}

/// The roster as CSV (RFC 4180): confirmed, then the wait-list, then the cancelled; times in Shanghai.
fn roster_csv(r: &Roster) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str("name,state,wait_list_position,signed_up_at,promoted_at,cancelled_at,late_cancel,checked_in_at,checked_out_at,auto_closed,no_show,minutes\r\n");
    let time = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.with_timezone(&shanghai()).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
    };
    for s in r.confirmed.iter().chain(&r.wait_list).chain(&r.cancelled) {
        let fields = [
            s.display_name.clone(),
            s.state.as_str().to_owned(),
            s.wait_list_position.map(|p| p.to_string()).unwrap_or_default(),
            time(Some(s.signed_up_at)),
            time(s.promoted_at),
            time(s.cancelled_at),
            s.late_cancel.to_string(),
            time(s.checked_in_at),
            time(s.checked_out_at),
            s.auto_closed.to_string(),
            s.no_show.to_string(),
            s.minutes.to_string(),
        ];
        out.push_str(&csv_line(&fields));
    }
    out
}
