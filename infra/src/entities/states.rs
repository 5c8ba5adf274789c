//! The enumerated states of orders, sign-ups, registrations, problems, reminders and deliveries as the database
//! stores them: strings (so SQLite and PostgreSQL keep one
//! schema), read and written by sea-orm as enums, so no query spells a state by hand and a row holding what no
//! code wrote fails to load instead of being guessed around. Each mirrors a domain enum, converted both ways by
//! exhaustive matches; a test holds the stored strings to the domain's own.

use sea_orm::entity::prelude::*;

use linli_domain::dispatch::Scope;
use linli_domain::notifications::records::DeliveryState;
use linli_domain::orders::{OfferStatus, OrderState};
use linli_domain::volunteering::booking::SignupState;
use linli_domain::volunteering::pairing::ProblemState;
use linli_domain::volunteering::registration::RegistrationState;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum StoredOrderState {
    Submitted,
    Offered,
    Accepted,
    InService,
    Completed,
    Escalated,
    Cancelled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum StoredScope {
    Community,
    Street,
    District,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum StoredOfferStatus {
    Open,
    Declined,
    Won,
    Withdrawn,
    Released,
    Expired,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum StoredSignupState {
    Confirmed,
    WaitListed,
    Cancelled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum StoredRegistrationState {
    Pending,
    Confirmed,
    Rejected,
    Ended,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum StoredProblemState {
    Open,
    Taken,
    Solved,
    Unsolved,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum StoredDeliveryState {
    Pending,
    Delivered,
    Dead,
}

/// A reminder's state, which only the store reads: waiting for its time, sent, or called off because what it
/// reminds of changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum StoredReminderState {
    Pending,
    Sent,
    Cancelled,
}

/// Pairs each domain variant with its stored one, in both directions.
macro_rules! mirror {
    ($domain:ident <=> $stored:ident: $($variant:ident),* $(,)?) => {
        impl From<$domain> for $stored {
            fn from(v: $domain) -> Self {
                match v {
                    $($domain::$variant => $stored::$variant,)*
                }
            }
        }

        impl From<$stored> for $domain {
            fn from(v: $stored) -> Self {
                match v {
                    $($stored::$variant => $domain::$variant,)*
                }
            }
        }
    };
}

mirror!(OrderState <=> StoredOrderState: Submitted, Offered, Accepted, InService, Completed, Escalated, Cancelled);
mirror!(Scope <=> StoredScope: Community, Street, District);
mirror!(OfferStatus <=> StoredOfferStatus: Open, Declined, Won, Withdrawn, Released, Expired);
mirror!(SignupState <=> StoredSignupState: Confirmed, WaitListed, Cancelled);
mirror!(RegistrationState <=> StoredRegistrationState: Pending, Confirmed, Rejected, Ended);
mirror!(ProblemState <=> StoredProblemState: Open, Taken, Solved, Unsolved);
mirror!(DeliveryState <=> StoredDeliveryState: Pending, Delivered, Dead);

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use super::*;

    #[test]
    fn every_stored_state_is_spelled_as_the_domain_spells_it() {
        for s in StoredOrderState::iter() {
            assert_eq!(s.to_value(), OrderState::from(s).as_str());
        }
        for s in StoredScope::iter() {
            assert_eq!(s.to_value(), Scope::from(s).as_str());
        }
        for s in StoredOfferStatus::iter() {
            assert_eq!(s.to_value(), OfferStatus::from(s).as_str());
        }
        for s in StoredSignupState::iter() {
            assert_eq!(s.to_value(), SignupState::from(s).as_str());
        }
        for s in StoredRegistrationState::iter() {
            assert_eq!(s.to_value(), RegistrationState::from(s).as_str());
        }
        for s in StoredProblemState::iter() {
            assert_eq!(s.to_value(), ProblemState::from(s).as_str());
        }
        for s in StoredDeliveryState::iter() {
            assert_eq!(s.to_value(), DeliveryState::from(s).as_str());
        }
    }
}
