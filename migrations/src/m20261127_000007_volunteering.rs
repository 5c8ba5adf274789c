//! Volunteering: organ Party branches and their pairings with communities, the problems communities post to
//! them, Party members' registrations with their residence communities (history kept), events with their dated
//! occurrences and shifts, sign-ups with wait-list order and attendance, the ledger of service hours with the
//! city's yearly quota, private calendar feed tokens, and the sign-up a shift reminder belongs to.
//!
//! Longer than our usual 400 lines on purpose: a migration is written once and never edited after it ships,
//! so it stays one file, the volunteering schema of one release.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Branches {
    Table,
    Id,
    Name,
    Organization,
    Demo,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Pairings {
    Table,
    BranchId,
    CommunityId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Problems {
    Table,
    Id,
    CommunityId,
    Title,
    Details,
    State,
    PostedBy,
    PostedAt,
    BranchId,
    TakenBy,
    TakenAt,
    ClosedAt,
    Outcome,
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Id,
    AccountId,
    CommunityId,
    BranchId,
    Skills,
    State,
    /// The account while this is its confirmed registration, null otherwise: its unique index lets a member
    /// belong to one community at a time on both databases, as nulls never collide.
    CurrentAccountId,
    SubmittedAt,
    DecidedAt,
    DecidedBy,
    EndedAt,
    Note,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    CommunityId,
    Title,
    Description,
    Recurrence,
    FirstDate,
    UntilDate,
    DedicationDay,
    ShiftPlan,
    GeneratedThrough,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Occurrences {
    Table,
    Id,
    EventId,
    RuleDate,
    Date,
    Cancelled,
    Note,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Shifts {
    Table,
    Id,
    EventId,
    OccurrenceId,
    CommunityId,
    Title,
    Place,
    StartsAt,
    EndsAt,
    Capacity,
    Skills,
    MembersOnly,
    CheckCode,
    Arrivals,
    ClosedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Signups {
    Table,
    Id,
    ShiftId,
    AccountId,
    State,
    Arrival,
    SignedUpAt,
    ConfirmedAt,
    PromotedAt,
    CancelledAt,
    LateCancel,
    CheckedInAt,
    CheckedOutAt,
    CheckedBy,
    AutoClosed,
    NoShow,
    Minutes,
    CodeFailures,
}

#[derive(DeriveIden)]
enum ServiceHours {
    Table,
    Id,
    AccountId,
    BranchId,
    CommunityId,
    Source,
    SourceId,
    StartedAt,
    Minutes,
    Year,
    Month,
}

#[derive(DeriveIden)]
enum HoursQuotas {
    Table,
    Year,
    Minutes,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    TokenHash,
    AccountId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reminders {
    Table,
    SignupId,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).to_owned()
}

fn cascade(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    fk(name, from, to).on_delete(ForeignKeyAction::Cascade).to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: &[DynIden]) -> IndexCreateStatement {
    let mut ix = Index::create().name(name).table(table).to_owned();
    for col in cols {
        ix.col(col.clone());
    }
    ix
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Branches::Table)
                .col(uuid(Branches::Id).primary_key())
                .col(string(Branches::Name))
                .col(string(Branches::Organization))
                .col(boolean(Branches::Demo).default(false))
                .col(timestamp_with_time_zone(Branches::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Pairings::Table)
                .col(uuid(Pairings::BranchId))
                .col(integer(Pairings::CommunityId))
                .col(timestamp_with_time_zone(Pairings::CreatedAt))
                .primary_key(Index::create().col(Pairings::BranchId).col(Pairings::CommunityId))
                .foreign_key(&mut cascade(
                    "fk_pairings_branch",
                    (Pairings::Table, Pairings::BranchId),
                    (Branches::Table, Branches::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_pairings_community",
                    (Pairings::Table, Pairings::CommunityId),
                    (Communities::Table, Communities::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_pairings_community", Pairings::Table, &[Pairings::CommunityId.into_iden()])).await?;
        m.create_table(
            Table::create()
                .table(Problems::Table)
                .col(uuid(Problems::Id).primary_key())
                .col(integer(Problems::CommunityId))
                .col(string(Problems::Title))
                .col(text(Problems::Details))
                .col(string(Problems::State))
                .col(uuid(Problems::PostedBy))
                .col(timestamp_with_time_zone(Problems::PostedAt))
                .col(uuid_null(Problems::BranchId))
                .col(uuid_null(Problems::TakenBy))
                .col(timestamp_with_time_zone_null(Problems::TakenAt))
                .col(timestamp_with_time_zone_null(Problems::ClosedAt))
                .col(text_null(Problems::Outcome))
                .foreign_key(&mut fk(
                    "fk_problems_community",
                    (Problems::Table, Problems::CommunityId),
                    (Communities::Table, Communities::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_problems_branch",
                    (Problems::Table, Problems::BranchId),
                    (Branches::Table, Branches::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_problems_community", Problems::Table, &[Problems::CommunityId.into_iden()])).await?;
        m.create_index(index("ix_problems_branch", Problems::Table, &[Problems::BranchId.into_iden()])).await?;
        m.create_table(
            Table::create()
                .table(Registrations::Table)
                .col(uuid(Registrations::Id).primary_key())
                .col(uuid(Registrations::AccountId))
                .col(integer(Registrations::CommunityId))
                .col(uuid_null(Registrations::BranchId))
                .col(text(Registrations::Skills))
                .col(string(Registrations::State))
                .col(uuid_null(Registrations::CurrentAccountId).unique_key())
                .col(timestamp_with_time_zone(Registrations::SubmittedAt))
                .col(timestamp_with_time_zone_null(Registrations::DecidedAt))
                .col(uuid_null(Registrations::DecidedBy))
                .col(timestamp_with_time_zone_null(Registrations::EndedAt))
                .col(text_null(Registrations::Note))
                .foreign_key(&mut cascade(
                    "fk_registrations_account",
                    (Registrations::Table, Registrations::AccountId),
                    (Accounts::Table, Accounts::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_registrations_community",
                    (Registrations::Table, Registrations::CommunityId),
                    (Communities::Table, Communities::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_registrations_branch",
                    (Registrations::Table, Registrations::BranchId),
                    (Branches::Table, Branches::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_registrations_community_state",
            Registrations::Table,
            &[Registrations::CommunityId.into_iden(), Registrations::State.into_iden()],
        ))
        .await?;
        m.create_index(index(
            "ix_registrations_account",
            Registrations::Table,
            &[Registrations::AccountId.into_iden()],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Events::Table)
                .col(uuid(Events::Id).primary_key())
                .col(integer(Events::CommunityId))
                .col(string(Events::Title))
                .col(text(Events::Description))
                .col(string(Events::Recurrence))
                .col(date(Events::FirstDate))
                .col(date_null(Events::UntilDate))
                .col(boolean(Events::DedicationDay))
                .col(text(Events::ShiftPlan))
                .col(date(Events::GeneratedThrough))
                .col(uuid(Events::CreatedBy))
                .col(timestamp_with_time_zone(Events::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_events_community",
                    (Events::Table, Events::CommunityId),
                    (Communities::Table, Communities::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_events_community", Events::Table, &[Events::CommunityId.into_iden()])).await?;
        m.create_table(
            Table::create()
                .table(Occurrences::Table)
                .col(uuid(Occurrences::Id).primary_key())
                .col(uuid(Occurrences::EventId))
                .col(date(Occurrences::RuleDate))
                .col(date(Occurrences::Date))
                .col(boolean(Occurrences::Cancelled).default(false))
                .col(text(Occurrences::Note))
                .col(timestamp_with_time_zone(Occurrences::UpdatedAt))
                .foreign_key(&mut cascade(
                    "fk_occurrences_event",
                    (Occurrences::Table, Occurrences::EventId),
                    (Events::Table, Events::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "ux_occurrences_event_rule_date",
                Occurrences::Table,
                &[Occurrences::EventId.into_iden(), Occurrences::RuleDate.into_iden()],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index("ix_occurrences_date", Occurrences::Table, &[Occurrences::Date.into_iden()])).await?;
        m.create_table(
            Table::create()
                .table(Shifts::Table)
                .col(uuid(Shifts::Id).primary_key())
                .col(uuid(Shifts::EventId))
                .col(uuid(Shifts::OccurrenceId))
                .col(integer(Shifts::CommunityId))
                .col(string(Shifts::Title))
                .col(string(Shifts::Place))
                .col(timestamp_with_time_zone(Shifts::StartsAt))
                .col(timestamp_with_time_zone(Shifts::EndsAt))
                .col(integer(Shifts::Capacity))
                .col(text(Shifts::Skills))
                .col(boolean(Shifts::MembersOnly))
                .col(string(Shifts::CheckCode))
                .col(integer(Shifts::Arrivals).default(0))
                .col(timestamp_with_time_zone_null(Shifts::ClosedAt))
                .col(timestamp_with_time_zone(Shifts::CreatedAt))
                .foreign_key(&mut cascade(
                    "fk_shifts_occurrence",
                    (Shifts::Table, Shifts::OccurrenceId),
                    (Occurrences::Table, Occurrences::Id),
                ))
                .foreign_key(&mut cascade(
                    "fk_shifts_event",
                    (Shifts::Table, Shifts::EventId),
                    (Events::Table, Events::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_shifts_occurrence", Shifts::Table, &[Shifts::OccurrenceId.into_iden()])).await?;
        m.create_index(index("ix_shifts_event", Shifts::Table, &[Shifts::EventId.into_iden()])).await?;
        m.create_index(index(
            "ix_shifts_community_starts",
            Shifts::Table,
            &[Shifts::CommunityId.into_iden(), Shifts::StartsAt.into_iden()],
        ))
        .await?;
        m.create_index(index(
            "ix_shifts_closed_ends",
            Shifts::Table,
            &[Shifts::ClosedAt.into_iden(), Shifts::EndsAt.into_iden()],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Signups::Table)
                .col(uuid(Signups::Id).primary_key())
                .col(uuid(Signups::ShiftId))
                .col(uuid(Signups::AccountId))
                .col(string(Signups::State))
                .col(integer(Signups::Arrival))
                .col(timestamp_with_time_zone(Signups::SignedUpAt))
                .col(timestamp_with_time_zone_null(Signups::ConfirmedAt))
                .col(timestamp_with_time_zone_null(Signups::PromotedAt))
                .col(timestamp_with_time_zone_null(Signups::CancelledAt))
                .col(boolean(Signups::LateCancel).default(false))
                .col(timestamp_with_time_zone_null(Signups::CheckedInAt))
                .col(timestamp_with_time_zone_null(Signups::CheckedOutAt))
                .col(uuid_null(Signups::CheckedBy))
                .col(boolean(Signups::AutoClosed).default(false))
                .col(boolean(Signups::NoShow).default(false))
                .col(integer(Signups::Minutes).default(0))
                .col(integer(Signups::CodeFailures).default(0))
                .foreign_key(&mut cascade(
                    "fk_signups_shift",
                    (Signups::Table, Signups::ShiftId),
                    (Shifts::Table, Shifts::Id),
                ))
                .foreign_key(&mut cascade(
                    "fk_signups_account",
                    (Signups::Table, Signups::AccountId),
                    (Accounts::Table, Accounts::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "ux_signups_shift_account",
                Signups::Table,
                &[Signups::ShiftId.into_iden(), Signups::AccountId.into_iden()],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index("ix_signups_account", Signups::Table, &[Signups::AccountId.into_iden()])).await?;
        m.create_table(
            Table::create()
                .table(ServiceHours::Table)
                .col(uuid(ServiceHours::Id).primary_key())
                .col(uuid(ServiceHours::AccountId))
                .col(uuid_null(ServiceHours::BranchId))
                .col(integer(ServiceHours::CommunityId))
                .col(string(ServiceHours::Source))
                .col(uuid(ServiceHours::SourceId))
                .col(timestamp_with_time_zone(ServiceHours::StartedAt))
                .col(integer(ServiceHours::Minutes))
                .col(integer(ServiceHours::Year))
                .col(integer(ServiceHours::Month))
                .foreign_key(&mut cascade(
                    "fk_service_hours_account",
                    (ServiceHours::Table, ServiceHours::AccountId),
                    (Accounts::Table, Accounts::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "ux_service_hours_source",
                ServiceHours::Table,
                &[
                    ServiceHours::Source.into_iden(),
                    ServiceHours::SourceId.into_iden(),
                    ServiceHours::AccountId.into_iden(),
                ],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_service_hours_year_account",
            ServiceHours::Table,
            &[ServiceHours::Year.into_iden(), ServiceHours::AccountId.into_iden()],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(HoursQuotas::Table)
                .col(integer(HoursQuotas::Year).primary_key())
                .col(integer(HoursQuotas::Minutes))
                .col(timestamp_with_time_zone(HoursQuotas::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CalendarFeeds::Table)
                .col(string(CalendarFeeds::TokenHash).primary_key())
                .col(uuid(CalendarFeeds::AccountId).unique_key())
                .col(timestamp_with_time_zone(CalendarFeeds::CreatedAt))
                .foreign_key(&mut cascade(
                    "fk_calendar_feeds_account",
                    (CalendarFeeds::Table, CalendarFeeds::AccountId),
                    (Accounts::Table, Accounts::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table(Reminders::Table).add_column(uuid_null(Reminders::SignupId)).to_owned())
            .await?;
        m.create_index(index("ix_reminders_signup", Reminders::Table, &[Reminders::SignupId.into_iden()])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_reminders_signup").table(Reminders::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Reminders::Table).drop_column(Reminders::SignupId).to_owned()).await?;
        for table in [
            CalendarFeeds::Table.into_iden(),
            HoursQuotas::Table.into_iden(),
            ServiceHours::Table.into_iden(),
            Signups::Table.into_iden(),
            Shifts::Table.into_iden(),
            Occurrences::Table.into_iden(),
            Events::Table.into_iden(),
            Registrations::Table.into_iden(),
            Problems::Table.into_iden(),
            Pairings::Table.into_iden(),
            Branches::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
