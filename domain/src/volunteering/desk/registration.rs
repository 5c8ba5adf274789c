//! 报到: a Party member registers with the community they live in; the community's worker confirms or rejects.

use super::{ActorCache, VolunteerDesk, only, organizer_of, text};
use crate::accounts::{Actor, Role};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::error::Invalid;
use crate::geo::CommunityId;
use crate::paging::{Page, PageRequest};
use crate::volunteering::errors::{DecideError, DeskError, RegisterError};
use crate::volunteering::model::RegistrationRecord;
use crate::volunteering::ports::Registrations;
use crate::volunteering::registration::{Decision, RegistrationState, Skills};
use crate::volunteering::{BranchId, RegistrationId};

impl<R: Registrations, A: ActorCache, C: Clock, L> VolunteerDesk<R, A, C, L> {
    /// A Party member files a registration with `community`, naming their branch and skills.
    pub async fn register(
        &self,
        actor: &Actor,
        community: CommunityId,
        branch: Option<BranchId>,
        skills: &[String],
    ) -> Result<RegistrationRecord, RegisterError> {
        only(actor, Role::PartyMember, "only Party members register with a community")?;
        let skills = Skills::parse(skills).map_err(|e| Invalid::new("skills", "invalid_skills", e))?;
        self.repo.register(actor.account, community, branch, &skills, self.clock.now()).await
    }

    /// The member's own registrations, newest first.
    pub async fn my_registrations(&self, actor: &Actor) -> Result<Vec<RegistrationRecord>, DeskError> {
        only(actor, Role::PartyMember, "only Party members have registrations")?;
        Ok(self.repo.registrations_of(actor.account).await?)
    }

    /// A page of a community's registrations in `state` (`pending`, `confirmed`, `rejected` or `ended`; all
    /// when absent), for its organizers, a page at a time.
    pub async fn community_registrations(
        &self,
        actor: &Actor,
        community: CommunityId,
        state: Option<&str>,
        page: PageRequest<'_>,
    ) -> Result<Page<RegistrationRecord>, DeskError> {
        organizer_of(actor, community)?;
        let state = state
            .map(|s| {
                RegistrationState::parse(s)
                    .ok_or_else(|| Invalid::malformed("state", "state is pending, confirmed, rejected or ended"))
            })
            .transpose()?;
        let (size, after) = (page.size()?, page.cursor()?.map(RegistrationId));
        Ok(Page::of(self.repo.registrations_in(community, state, after, size + 1).await?, size))
    }

    /// A worker of the registration's community confirms it (or rejects it with a note). The member's cached
    /// account is forgotten, so their new community and provider apply to their next request.
    pub async fn decide_registration(
        &self,
        actor: &Actor,
        id: RegistrationId,
        decision: Decision,
        note: Option<&str>,
    ) -> Result<RegistrationRecord, DecideError> {
        let note = note.map(|n| text("note", n, 500)).transpose()?;
        let reg = self.repo.registration(id).await?.ok_or(DecideError::NotFound)?;
        organizer_of(actor, reg.community)?;
        let action = match decision {
            Decision::Confirm => "registration.confirmed",
            Decision::Reject => "registration.rejected",
        };
        let audit = AuditEntry::new(actor, self.clock.now(), action, format!("registration:{}", id.0))
            .before(serde_json::json!({ "state": reg.state.as_str() }))
            .after(serde_json::json!({ "state": if decision == Decision::Confirm { "confirmed" } else { "rejected" }, "note": note }));
        let record = self.repo.decide_registration(id, decision, note, audit).await?;
        self.actors.forget(record.account);
        Ok(record)
    }
}
