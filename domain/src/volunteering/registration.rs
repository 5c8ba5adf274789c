//! 报到: a Party member registers with the community they live in, naming the organ branch of their employer and
//! their skills; a community worker of that community confirms it. A member belongs to one community at a time
//! and has at most one registration pending; moving house is a new registration, and confirming it ends the
//! old one, which stays on record.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegistrationState {
    /// Waiting for a community worker.
    Pending,
    /// The member belongs to the community.
    Confirmed,
    /// The community worker turned it down.
    Rejected,
    /// Replaced by a later registration (the member moved), or withdrawn.
    Ended,
}

impl RegistrationState {
    pub const ALL: [RegistrationState; 4] = [Self::Pending, Self::Confirmed, Self::Rejected, Self::Ended];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
            Self::Ended => "ended",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// What a community worker decides about a pending registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Confirm,
    Reject,
}

/// A member's skills (理发, 法律咨询, 维修…): up to 20, each 1 to 20 characters, without repeats, in the order
/// given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skills(Vec<String>);

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum SkillsError {
    #[error("at most 20 skills")]
    TooMany,
    #[error("a skill has 1 to 20 characters and no comma")]
    Skill,
}

impl Skills {
    pub const MAX: usize = 20;

    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, SkillsError> {
        let mut skills: Vec<String> = Vec::new();
        for s in raw {
            let s = s.as_ref().trim();
            if s.is_empty() || s.chars().count() > 20 || s.contains([',', '，']) {
                return Err(SkillsError::Skill);
            }
            if !skills.iter().any(|k| k == s) {
                skills.push(s.to_owned());
            }
        }
        if skills.len() > Self::MAX {
            return Err(SkillsError::TooMany);
        }
        Ok(Self(skills))
    }

    /// Reads back what [`stored`](Self::stored) wrote.
    pub fn from_stored(raw: &str) -> Self {
        Self(raw.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect())
    }

    /// One comma-separated column; a skill cannot contain a comma.
    pub fn stored(&self) -> String {
        self.0.join(",")
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// The wanted skills that these skills cover, for an organizer choosing among volunteers.
    pub fn matching<'a>(&self, wanted: &'a Skills) -> Vec<&'a str> {
        wanted.0.iter().filter(|w| self.0.contains(w)).map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_are_trimmed_and_kept_once_in_the_order_given() {
        let skills = Skills::parse(&[" 理发 ", "维修", "理发"]).unwrap();
        assert_eq!(skills.as_slice(), ["理发", "维修"]);
        assert_eq!(Skills::from_stored(&skills.stored()), skills);
    }

    #[test]
    fn a_skill_with_a_comma_or_nothing_in_it_is_refused() {
        assert_eq!(Skills::parse(&["理发,维修"]), Err(SkillsError::Skill));
        assert_eq!(Skills::parse(&["理发，维修"]), Err(SkillsError::Skill));
        assert_eq!(Skills::parse(&["  "]), Err(SkillsError::Skill));
        let many: Vec<String> = (0..21).map(|n| format!("技能{n}")).collect();
        assert_eq!(Skills::parse(&many), Err(SkillsError::TooMany));
    }

    #[test]
    fn no_skills_read_back_as_none() {
        assert_eq!(Skills::from_stored(""), Skills::default());
    }

    #[test]
    fn matching_lists_the_wanted_skills_a_member_has() {
        let member = Skills::parse(&["理发", "维修"]).unwrap();
        let wanted = Skills::parse(&["维修", "急救"]).unwrap();
        assert_eq!(member.matching(&wanted), ["维修"]);
    }

    #[test]
    fn every_registration_state_round_trips_through_its_name() {
        for state in RegistrationState::ALL {
            assert_eq!(RegistrationState::parse(state.as_str()), Some(state));
        }
    }
}
