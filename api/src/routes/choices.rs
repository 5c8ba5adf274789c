//! The closed lists of words requests choose from (a code's purpose, a role, a provider's kind, a state to
//! filter by…), as enums in the schema, so that a generated client offers only what the server takes and a
//! fuzzer generates only what it can. A body reads them with serde, so a wrong word is a 400 naming its
//! field; a query parameter names itself. The use case is handed the word, which the domain parses as before.

/// An enum of `variant = "word"` pairs with the derives both the schema and serde need, and `as_str`.
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(poem_openapi::Enum, serde::Deserialize, serde::Serialize, Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $(#[oai(rename = $word)] #[serde(rename = $word)] $variant),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),+
                }
            }
        }
    };
}

choice!(
    /// What a texted code is for.
    CodeFor { SignUp = "sign_up", ResetPassword = "reset_password" }
);

choice!(
    /// The roles people give themselves when they sign up.
    SignUpRole { Resident = "resident", PartyMember = "party_member" }
);

choice!(
    /// Every role an admin can give an account.
    RoleName {
        Resident = "resident",
        ProviderStaff = "provider_staff",
        CommunityWorker = "community_worker",
        PartyMember = "party_member",
        Admin = "admin",
    }
);

choice!(
    /// 派单 (one provider at a time) or 抢单 (offered to several; the first to claim wins).
    DispatchModeName { Dispatch = "dispatch", Broadcast = "broadcast" }
);

choice!(
    /// An organization, an in-service Party member, a community point (a mediation point or sub-center), or a
    /// red station (红色驿站), whose reach is its 15-minute circle.
    ProviderKindName {
        Organization = "organization",
        PartyMember = "party_member",
        CommunityPoint = "community_point",
        RedStation = "red_station",
    }
);

choice!(
    /// How an event repeats.
    RecurrenceKind { Once = "once", MonthlyDay = "monthly_day", MonthlyWeekday = "monthly_weekday" }
);

choice!(
    /// How a care plan repeats.
    RepeatKind { Weekly = "weekly", MonthlyDay = "monthly_day", MonthlyWeekday = "monthly_weekday" }
);

choice!(
    /// The languages Linli speaks: Chinese (the default) and English.
    LanguageName { ZhCn = "zh-CN", En = "en" }
);

choice!(
    /// The catalog's categories.
    CategoryName {
        Meals = "meals",
        Cleaning = "cleaning",
        Bathing = "bathing",
        MedicalEscort = "medical_escort",
        Repairs = "repairs",
        LegalAid = "legal_aid",
        Mediation = "mediation",
        Employment = "employment",
        Volunteer = "volunteer",
    }
);

choice!(
    /// Who an item's orders go to: organizations (`standard`), Party members (`volunteer`), the community's
    /// mediation point (`neighbour_dispute`) or the street's property-dispute sub-center (`property_dispute`).
    RoutingName {
        Standard = "standard",
        Volunteer = "volunteer",
        NeighbourDispute = "neighbour_dispute",
        PropertyDispute = "property_dispute",
    }
);

choice!(
    /// Where a registration stands.
    RegistrationStateName { Pending = "pending", Confirmed = "confirmed", Rejected = "rejected", Ended = "ended" }
);

choice!(
    /// Where a delivery stands.
    DeliveryStateName { Pending = "pending", Delivered = "delivered", Dead = "dead" }
);

#[cfg(test)]
mod tests {
    use linli_domain::accounts::{CodePurpose, Role};
    use linli_domain::catalog::Category;

    use super::*;

    #[test]
    fn the_words_offered_are_the_words_the_domain_parses() {
        use poem_openapi::types::ParseFromJSON;
        for role in Role::ALL {
            let word = serde_json::Value::String(role.as_str().to_owned());
            assert_eq!(RoleName::parse_from_json(Some(word)).unwrap().as_str(), role.as_str());
        }
        for purpose in CodePurpose::ALL {
            let word = serde_json::Value::String(purpose.as_str().to_owned());
            assert_eq!(CodeFor::parse_from_json(Some(word)).unwrap().as_str(), purpose.as_str());
        }
        for category in Category::ALL {
            let word = serde_json::Value::String(category.as_str().to_owned());
            assert_eq!(CategoryName::parse_from_json(Some(word)).unwrap().as_str(), category.as_str());
        }
    }

    #[test]
    fn a_wrong_word_in_a_body_names_its_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Body {
            purpose: CodeFor,
        }
        let err = crate::body::parse::<Body>(br#"{"purpose":"sign_in"}"#).unwrap_err();
        assert_eq!(err.problem().field.as_deref(), Some("purpose"));
    }
}

choice!(
    /// The kind of answer a catalog item's question takes.
    QuestionKindName {
        Text = "text",
        Number = "number",
        Single = "single",
        Multiple = "multiple",
        YesNo = "yes_no",
        Date = "date",
    }
);

choice!(
    /// Why a provider declines an offer or gives back a job it accepted: nobody is free then, they cannot get
    /// there in time, the job needs what they do not do, or another reason.
    JobReasonName {
        StaffUnavailable = "staff_unavailable",
        CannotArriveInTime = "cannot_arrive_in_time",
        BeyondOurSkills = "beyond_our_skills",
        Other = "other",
    }
);
