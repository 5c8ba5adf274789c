//! Service hours: a member's year against the city's quota, the figures of a community (for its organizers)
//! or a branch (for its members and admins), and the quota an admin sets.

use super::{VolunteerDesk, only, organizer_of};
use crate::accounts::{Actor, Role};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::error::{Denied, Invalid};
use crate::geo::CommunityId;
use crate::volunteering::BranchId;
use crate::volunteering::errors::DeskError;
use crate::volunteering::hours::Period;
use crate::volunteering::model::{GroupHours, HoursScope, MemberHours};
use crate::volunteering::ports::{Registrations, ServiceHours};

/// The largest yearly quota an admin may set, in hours.
const MAX_QUOTA_HOURS: u32 = 1000;

impl<R: ServiceHours + Registrations, A, C: Clock, L> VolunteerDesk<R, A, C, L> {
    /// The actor's own hours in `year` (this year in Shanghai when absent).
    pub async fn my_hours(&self, actor: &Actor, year: Option<i32>) -> Result<MemberHours, DeskError> {
        let year = self.year(year)?;
        Ok(self.repo.member_hours(actor.account, year).await?)
    }

    /// A community's figures for `period` (this month when absent), for its organizers.
    pub async fn community_hours(
        &self,
        actor: &Actor,
        community: CommunityId,
        period: Option<&str>,
    ) -> Result<GroupHours, DeskError> {
        organizer_of(actor, community)?;
        let period = self.period(period)?;
        Ok(self.repo.group_hours(HoursScope::Community(community), period).await?)
    }

    /// A branch's figures for `period`, for admins and the branch's own members.
    pub async fn branch_hours(
        &self,
        actor: &Actor,
        branch: BranchId,
        period: Option<&str>,
    ) -> Result<GroupHours, DeskError> {
        if actor.role != Role::Admin && self.member_branch(actor).await? != Some(branch) {
            return Err(Denied("only admins and the branch's members see its hours").into());
        }
        let period = self.period(period)?;
        Ok(self.repo.group_hours(HoursScope::Branch(branch), period).await?)
    }

    /// The city's quota for `year`, in minutes, if set.
    pub async fn quota(&self, year: i32) -> Result<(i32, Option<u64>), DeskError> {
        let year = self.year(Some(year))?;
        Ok((year, self.repo.quota(year).await?))
    }

    /// An admin sets the yearly quota, in whole hours; returns the year and the quota in minutes.
    pub async fn set_quota(&self, actor: &Actor, year: i32, hours: u32) -> Result<(i32, u64), DeskError> {
        only(actor, Role::Admin, "only admins set the quota")?;
        let year = self.year(Some(year))?;
        if hours > MAX_QUOTA_HOURS {
            return Err(Invalid::new("hours", "invalid_quota", "a quota is 0 to 1,000 hours").into());
        }
        let before = self.repo.quota(year).await?;
        let audit = AuditEntry::new(actor, self.clock.now(), "quota.set", format!("quota:{year}"))
            .before(serde_json::json!({ "hours": before.map(|m| m / 60) }))
            .after(serde_json::json!({ "hours": hours }));
        self.repo.set_quota(year, hours * 60, audit).await?;
        Ok((year, u64::from(hours) * 60))
    }

    fn period(&self, raw: Option<&str>) -> Result<Period, Invalid> {
        match raw {
            None => Ok(Period::containing(self.clock.now(), true)),
            Some(p) => Period::parse(p).map_err(|e| Invalid::malformed("period", e)),
        }
    }

    fn year(&self, raw: Option<i32>) -> Result<i32, Invalid> {
        match raw {
            None => Ok(Period::containing(self.clock.now(), false).year()),
            Some(y) if (2000..=2100).contains(&y) => Ok(y),
            Some(_) => Err(Invalid::malformed("year", "a year is between 2000 and 2100")),
        }
    }
}
