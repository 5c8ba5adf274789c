//! Sign-ups and attendance: taking and giving up a place, checking in and out with the code the organizer shows
//! (or by the organizer), and the roster with its CSV export.

use chrono::{DateTime, TimeDelta, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi, ResponseContent};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::accounts::{AccountId, Role};
use linli_domain::notifications::shanghai;
use linli_domain::volunteering::ShiftId;
use linli_domain::volunteering::booking::{AttendanceError, SignupRefusal};
use linli_infra::store::{AttendanceFailure, BookingError, Roster, SignupRecord, Witness};

use super::{ShiftView, SignupView, organizer_of};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::{ApiError, ApiResult};
use crate::routes::ApiTags;
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
struct CodeBody {
    /// The six digits the organizer shows at the shift.
    code: String,
}

#[derive(Object, Deserialize)]
struct AttendanceBody {
    /// Whose attendance.
    account_id: Uuid,
    /// `check_in` or `check_out`.
    action: String,
}

#[derive(Object)]
struct MyShift {
    signup: SignupView,
    shift: ShiftView,
}

#[derive(Object)]
struct MyShifts {
    shifts: Vec<MyShift>,
}

#[derive(Object)]
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

#[derive(ResponseContent)]
enum CsvContent {
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(PlainText<String>),
}

#[derive(ApiResponse)]
enum RosterCsv {
    /// The roster as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese right).
    #[oai(status = 200)]
    Ok(CsvContent, #[oai(header = "Content-Disposition")] String),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Volunteering")]
impl ShiftsApi {
    /// Sign up for a shift: a place while there is one, the wait-list after (moved up in order when someone
    /// cancels). You cannot hold two shifts at the same time; signing up twice is harmless.
    #[oai(path = "/shifts/:id/signups", method = "post")]
    async fn sign_up(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<SignedUp> {
        let actor = auth.0.require(&[Role::PartyMember, Role::Resident])?;
        let (record, created) =
            state.store.sign_up(ShiftId(id.0), actor.account, Utc::now()).await.map_err(booking_error)?;
        Ok(if created { SignedUp::Created(Json(record.into())) } else { SignedUp::Already(Json(record.into())) })
    }

    /// Give up your place or wait-list place. Within 24 hours of the start this is recorded as a late
    /// cancellation. Your place goes to the first on the wait-list, who is told.
    #[oai(path = "/shifts/:id/signups/me", method = "delete")]
    async fn cancel(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<SignupView>> {
        let actor = auth.0.actor();
        let record =
            state.store.cancel_signup(ShiftId(id.0), actor.account, Utc::now()).await.map_err(booking_error)?;
        Ok(Json(record.into()))
    }

    /// Your shifts from a week ago on, in time order, with your place on each.
    #[oai(path = "/me/shifts", method = "get")]
    async fn mine(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<MyShifts>> {
        let actor = auth.0.actor();
        let rows = state.store.signups_of(actor.account, Utc::now() - TimeDelta::days(7)).await?;
        let shifts = rows.into_iter().map(|(s, shift)| MyShift { signup: s.into(), shift: shift.into() }).collect();
        Ok(Json(MyShifts { shifts }))
    }

    /// Check yourself in with the code the organizer shows (from an hour before the start).
    #[oai(path = "/shifts/:id/check-in", method = "post")]
    async fn check_in(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<CodeBody>,
    ) -> ApiResult<Json<SignupView>> {
        attend_with_code(&state, &auth, id.0, &body.code, Arrival::In).await
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
    ) -> ApiResult<Json<SignupView>> {
        attend_with_code(&state, &auth, id.0, &body.code, Arrival::Out).await
    }

    /// The organizer checks someone in or out.
    #[oai(path = "/shifts/:id/attendance", method = "post")]
    async fn attendance(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<AttendanceBody>,
    ) -> ApiResult<Json<SignupView>> {
        let actor = auth.0.actor();
        let shift = state.store.shift(ShiftId(id.0)).await?.ok_or_else(|| ApiError::not_found("shift"))?;
        organizer_of(&actor, shift.community)?;
        let way = match body.action.as_str() {
            "check_in" => Arrival::In,
            "check_out" => Arrival::Out,
            _ => return Err(ApiError::invalid("action", "invalid_action", "action is check_in or check_out")),
        };
        attend(&state, shift.id, AccountId(body.account_id), Witness::Organizer(actor.account), way).await
    }

    /// The shift's roster: the check-in code, who is confirmed, the wait-list in order, who cancelled, and
    /// attendance.
    #[oai(path = "/shifts/:id/roster", method = "get")]
    async fn roster(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<RosterView>> {
        Ok(Json(organizer_roster(&state, &auth, id.0).await?.into()))
    }

    /// The roster as a CSV file, one row per person in roster order.
    #[oai(path = "/shifts/:id/roster.csv", method = "get")]
    async fn roster_csv(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<RosterCsv> {
        let roster = organizer_roster(&state, &auth, id.0).await?;
        let name = format!("attachment; filename=\"roster-{}.csv\"", id.0);
        Ok(RosterCsv::Ok(CsvContent::Csv(PlainText(roster_csv(&roster))), name))
    }
}

/// Which way through the door.
#[derive(Clone, Copy)]
enum Arrival {
    In,
    Out,
}

async fn attend_with_code(
    state: &AppState,
    auth: &BearerAuth,
    id: Uuid,
    code: &str,
    way: Arrival,
) -> ApiResult<Json<SignupView>> {
    attend(state, ShiftId(id), auth.0.actor().account, Witness::Code(code), way).await
}

async fn attend(
    state: &AppState,
    shift: ShiftId,
    who: AccountId,
    witness: Witness<'_>,
    way: Arrival,
) -> ApiResult<Json<SignupView>> {
    let now = Utc::now();
    let done = match way {
        Arrival::In => state.store.check_in(shift, who, witness, now).await,
        Arrival::Out => state.store.check_out(shift, who, witness, now).await,
    };
    Ok(Json(done.map_err(attendance_error)?.into()))
}

async fn organizer_roster(state: &AppState, auth: &BearerAuth, id: Uuid) -> ApiResult<Roster> {
    let roster = state.store.roster(ShiftId(id)).await?.ok_or_else(|| ApiError::not_found("shift"))?;
    organizer_of(&auth.0.actor(), roster.shift.community)?;
    Ok(roster)
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
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Quotes a field when it holds a comma, a quote or a line break; a leading `=`, `+`, `-` or `@` is prefixed
/// with a quote mark so that a spreadsheet does not run a name as a formula.
fn csv_field(raw: &str) -> String {
    let guarded = if raw.starts_with(['=', '+', '-', '@']) { format!("'{raw}") } else { raw.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) { format!("\"{}\"", guarded.replace('"', "\"\"")) } else { guarded }
}

fn booking_error(e: BookingError) -> ApiError {
    use poem::http::StatusCode;
    match e {
        BookingError::NotFound => ApiError::not_found("shift or sign-up"),
        BookingError::Refused(r) => {
            let code = match r {
                SignupRefusal::MembersOnly => "members_only",
                SignupRefusal::Started => "shift_started",
                SignupRefusal::CalledOff => "called_off",
                SignupRefusal::Overlaps(_) => "overlapping_shift",
            };
            let mut err = ApiError::new(StatusCode::CONFLICT, code, r.to_string());
            if let SignupRefusal::Overlaps(other) = r {
                err = ApiError::new(StatusCode::CONFLICT, code, format!("{r} (shift {})", other.0));
            }
            err
        }
        BookingError::Started => ApiError::new(StatusCode::CONFLICT, "shift_started", e.to_string()),
        BookingError::Unexpected(u) => ApiError::unexpected(u),
    }
}

fn attendance_error(e: AttendanceFailure) -> ApiError {
    use poem::http::StatusCode;
    match e {
        AttendanceFailure::NotFound => ApiError::not_found("shift or sign-up"),
        AttendanceFailure::Rule(AttendanceError::WrongCode) => {
            ApiError::invalid("code", "wrong_code", AttendanceError::WrongCode)
        }
        AttendanceFailure::Rule(r) => {
            let code = match r {
                AttendanceError::TooEarly => "too_early",
                AttendanceError::Closed => "shift_closed",
                AttendanceError::NotConfirmed => "not_confirmed",
                AttendanceError::NotCheckedIn => "not_checked_in",
                AttendanceError::WrongCode => "wrong_code",
                AttendanceError::TooManyWrongCodes => "too_many_wrong_codes",
                AttendanceError::NotStarted => "not_started",
                AttendanceError::CalledOff => "called_off",
            };
            ApiError::new(StatusCode::CONFLICT, code, r.to_string())
        }
        AttendanceFailure::Unexpected(u) => ApiError::unexpected(u),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_field_with_a_comma_or_quote_is_quoted_and_a_formula_is_defused() {
        assert_eq!(csv_field("王秀兰"), "王秀兰");
        assert_eq!(csv_field("Wang, Li"), "\"Wang, Li\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=1+1"), "'=1+1");
    }
}
