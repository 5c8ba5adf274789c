//! Demo data shaped like the city (DESIGN.md), marked `demo` in every table it writes. Seeding is repeatable:
//! every row has a fixed key and is inserted only if missing, so a second run changes nothing.

mod branches;
mod catalog;
mod city;
mod organizations;
mod points;
mod rng;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait, Iterable, PrimaryKeyToColumn};

use linli_domain::accounts::{NewPassword, PhoneNumber, Role, Username};
use linli_domain::catalog::{Category, Routing};
use linli_domain::error::Unexpected;
use linli_domain::geo::{CommunityId, StreetId};
use linli_domain::providers::{ProviderId, ProviderKind};

use crate::auth::hash_password;
use crate::db::DbContext;
use crate::entities::{
    branch, catalog_item, community, district, pairing, provider, provider_coverage, provider_item, street,
};
use linli_domain::accounts::{Accounts, CreateAccountError, NewAccount};

use crate::store::Store;

pub use branches::branch_id;
pub use catalog::demo_questions;
pub use organizations::organization_id;

/// The password of every demo account. Demo data is for trying Linli out, never for a real deployment.
pub const DEMO_PASSWORD: &str = "linli-demo";

/// A demo login, printed at start-up so a newcomer can sign in.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub about: String,
}

#[derive(Clone, Debug)]
pub struct SeedReport {
    pub districts: usize,
    pub streets: usize,
    pub communities: usize,
    pub items: usize,
    pub organizations: usize,
    /// Mediation points and property-dispute sub-centers.
    pub community_points: usize,
    /// Red stations, one at the heart of each street.
    pub red_stations: usize,
    /// Organ Party branches, and the communities paired with them.
    pub branches: usize,
    pub paired_communities: usize,
    /// Demo accounts made by this run (none when they already existed).
    pub accounts_created: usize,
    pub accounts: Vec<DemoAccount>,
}

/// Writes the demo city, catalog, organizations and accounts, skipping whatever is already there.
pub async fn seed_demo(store: &Store) -> Result<SeedReport, Unexpected> {
    let mut rng = rng::Rng::new(0x006c_696e_6c69);
    let city = city::build(&mut rng);
    let items = catalog::build();
    let orgs = organizations::build(&city, &mut rng);
    let what = "seeding demo data";
    let now = Utc::now();

    let txn = store.begin(what).await?;
    insert_missing::<district::Entity, _>(
        &txn,
        city.districts.iter().map(|d| district::ActiveModel {
            id: Set(d.id),
            name: Set(d.name.to_owned()),
            lat: Set(d.lat),
            lng: Set(d.lng),
            demo: Set(true),
        }),
    )
    .await?;
    insert_missing::<street::Entity, _>(
        &txn,
        city.streets.iter().map(|s| street::ActiveModel {
            id: Set(s.id),
            district_id: Set(s.district),
            name: Set(s.name.clone()),
            lat: Set(s.lat),
            lng: Set(s.lng),
            demo: Set(true),
        }),
    )
    .await?;
    insert_missing::<community::Entity, _>(
        &txn,
        city.communities.iter().map(|c| community::ActiveModel {
            id: Set(c.id),
            street_id: Set(c.street),
            name: Set(c.name.clone()),
            lat: Set(c.lat),
            lng: Set(c.lng),
            demo: Set(true),
        }),
    )
    .await?;
    insert_missing::<catalog_item::Entity, _>(
        &txn,
        items.iter().map(|i| catalog_item::ActiveModel {
            id: Set(i.id),
            code: Set(i.code.clone()),
            name: Set(i.name.to_owned()),
            category: Set(i.category.as_str().to_owned()),
            description: Set(format!("{}服务（演示数据）", i.name)),
            mode: Set(i.mode.as_str().to_owned()),
            duration_minutes: Set(i.duration_minutes),
            price_fen: Set(i.price_fen),
            offer_ttl_seconds: Set(None),
            broadcast_k: Set(3),
            max_rounds: Set(3),
            routing: Set(i.routing.as_str().to_owned()),
            demo: Set(true),
            questions: Set(serde_json::to_string(&i.questions).expect("questions are plain data")),
            retired_at: Set(None),
        }),
    )
    .await?;
    insert_missing::<provider::Entity, _>(
        &txn,
        orgs.iter().map(|o| provider::ActiveModel {
            id: Set(o.id),
            kind: Set(ProviderKind::Organization.as_str().to_owned()),
            name: Set(o.name.clone()),
            credit_code: Set(Some(o.credit_code.clone())),
            community_id: Set(o.community),
            lat: Set(o.lat),
            lng: Set(o.lng),
            rating: Set(o.ratings.smoothed()),
            rating_count: Set(o.ratings.count as i32),
            rating_sum: Set(o.ratings.sum as i32),
            capacity: Set(o.capacity),
            active: Set(true),
            radius_m: Set(None),
            working_hours: Set(String::new()),
            target_share: Set(1.0),
            demo: Set(true),
            created_at: Set(now),
            paused_since: Set(None),
            closed_dates: Set(String::new()),
        }),
    )
    .await?;
    let points = points::build(&city, &items);
    insert_missing::<provider::Entity, _>(
        &txn,
        points.iter().map(|p| provider::ActiveModel {
            id: Set(p.id),
            kind: Set(p.kind.as_str().to_owned()),
            name: Set(p.name.clone()),
            credit_code: Set(None),
            community_id: Set(p.community),
            lat: Set(p.lat),
            lng: Set(p.lng),
            rating: Set(linli_domain::providers::PRIOR_MEAN),
            rating_count: Set(0),
            rating_sum: Set(0),
            capacity: Set(p.capacity),
            active: Set(true),
            radius_m: Set(None),
            working_hours: Set(String::new()),
            target_share: Set(1.0),
            demo: Set(true),
            created_at: Set(now),
            paused_since: Set(None),
            closed_dates: Set(String::new()),
        }),
    )
    .await?;
    let offered = orgs
        .iter()
        .flat_map(|o| {
            items
                .iter()
                .filter(|i| o.categories.contains(&i.category) && i.routing == Routing::Standard)
                .map(|i| (o.id, i.id))
                .collect::<Vec<_>>()
        })
        .chain(points.iter().flat_map(|p| p.items.iter().map(|i| (p.id, *i))))
        .map(|(provider_id, item_id)| provider_item::ActiveModel {
            provider_id: Set(provider_id),
            item_id: Set(item_id),
        });
    insert_missing::<provider_item::Entity, _>(&txn, offered).await?;
    let covered = orgs
        .iter()
        .flat_map(|o| o.coverage.iter().map(|c| (o.id, *c)))
        .chain(points.iter().flat_map(|p| p.coverage.iter().map(|c| (p.id, *c))))
        .map(|(provider_id, c)| provider_coverage::ActiveModel { provider_id: Set(provider_id), community_id: Set(c) });
    insert_missing::<provider_coverage::Entity, _>(&txn, covered).await?;
    let demo_branches = branches::build();
    insert_missing::<branch::Entity, _>(
        &txn,
        demo_branches.iter().map(|b| branch::ActiveModel {
            id: Set(b.id),
            name: Set(b.name.clone()),
            organization: Set(b.organization.clone()),
            demo: Set(true),
            created_at: Set(now),
        }),
    )
    .await?;
    insert_missing::<pairing::Entity, _>(
        &txn,
        demo_branches.iter().flat_map(|b| {
            b.communities.iter().map(|c| pairing::ActiveModel {
                branch_id: Set(b.id),
                community_id: Set(*c),
                created_at: Set(now),
            })
        }),
    )
    .await?;
    Store::bump_dispatch_counter(&txn).await?;
    txn.commit().await.context(what)?;

    let (accounts, accounts_created) = seed_accounts(store, &orgs).await?;
    Ok(SeedReport {
        districts: city.districts.len(),
        streets: city.streets.len(),
        communities: city.communities.len(),
        items: items.len(),
        organizations: orgs.len(),
        community_points: points.iter().filter(|p| p.kind == ProviderKind::CommunityPoint).count(),
        red_stations: points.iter().filter(|p| p.kind == ProviderKind::RedStation).count(),
        branches: branches::BRANCH_COUNT,
        paired_communities: branches::PAIRED_COMMUNITIES,
        accounts_created,
        accounts,
    })
}

/// Inserts rows whose primary key is not taken yet, in chunks that stay under SQLite's bound-parameter limit.
async fn insert_missing<E, I>(txn: &DatabaseTransaction, rows: I) -> Result<(), Unexpected>
where
    E: EntityTrait,
    I: Iterator<Item = E::ActiveModel>,
{
    let rows: Vec<E::ActiveModel> = rows.collect();
    let keys: Vec<E::Column> = E::PrimaryKey::iter().map(|k| k.into_column()).collect();
    for chunk in rows.chunks(500) {
        E::insert_many(chunk.iter().cloned())
            .on_conflict(OnConflict::columns(keys.clone()).do_nothing().to_owned())
            .exec_without_returning(txn)
            .await
            .context("seeding demo data")?;
    }
    Ok(())
}

async fn seed_accounts(
    store: &Store,
    orgs: &[organizations::DemoOrganization],
) -> Result<(Vec<DemoAccount>, usize), Unexpected> {
    let demo_community = CommunityId(1);
    let mut wanted = vec![
        (NewDemo::new("resident", Role::Resident, "王秀兰 (resident of 文安路社区)")
            .phone("13800000001")
            .community(demo_community)),
        (NewDemo::new("resident2", Role::Resident, "李建国 (resident of 文安路社区)")
            .phone("13800000002")
            .community(demo_community)),
        (NewDemo::new("worker", Role::CommunityWorker, "张敏 (community worker, 文安路社区)")
            .community(demo_community)),
        // The street of 文安路社区 and eight other communities.
        (NewDemo::new("street", Role::CommunityWorker, "刘洋 (street worker, 南湖街道)").street(StreetId(1))),
        (NewDemo::new(
            "member",
            Role::PartyMember,
            "赵志强 (Party member living in 文安路社区, 市民政局机关第一党支部)",
        )
        .phone("13800000003")),
        (NewDemo::new("admin", Role::Admin, "系统管理员 (administrator)")),
    ];
    for (n, org) in orgs.iter().take(5).enumerate() {
        let username = format!("org{:03}", n + 1);
        let about = format!("staff of {}", org.name);
        // A number each, so a resident can call whoever is coming.
        let phone = format!("138000001{:02}", n + 1);
        wanted.push(NewDemo::new(&username, Role::ProviderStaff, &about).provider(ProviderId(org.id)).phone(&phone));
    }
    let password = NewPassword::parse(DEMO_PASSWORD.to_owned()).expect("the demo password is long enough");
    let mut created = 0;
    let mut listed = Vec::new();
    for demo in wanted {
        listed.push(DemoAccount { username: demo.username.clone(), role: demo.role, about: demo.about.clone() });
        if store.account_by_login(&demo.username).await?.is_some() {
            continue;
        }
        let new = NewAccount {
            username: Username::parse(&demo.username).expect("demo usernames are valid"),
            phone: demo.phone.map(|p| PhoneNumber::parse(&p).expect("demo phones are valid")),
            display_name: demo.about.split(" (").next().unwrap_or(&demo.about).to_owned(),
            password_hash: hash_password(&password)?,
            role: demo.role,
            provider: demo.provider,
            community: demo.community,
            street: demo.street,
            // Each demo organization's one member of staff is also its manager, who invites the others.
            manager: demo.role == Role::ProviderStaff,
            demo: true,
        };
        match store.create_account(new, None).await {
            Ok(_) => created += 1,
            // Another process seeding at the same moment got there first.
            Err(CreateAccountError::Taken(_)) => {}
            Err(CreateAccountError::UnknownReference) => {
                return Err(Unexpected::new(
                    "seeding demo accounts",
                    std::io::Error::other("a demo account names a missing row"),
                ));
            }
            Err(CreateAccountError::Unexpected(u)) => return Err(u),
            Err(refused @ (CreateAccountError::Denied(_) | CreateAccountError::Invalid(_))) => {
                return Err(Unexpected::new("seeding demo accounts", refused));
            }
        }
    }
    Ok((listed, created))
}

struct NewDemo {
    username: String,
    role: Role,
    about: String,
    phone: Option<String>,
    provider: Option<ProviderId>,
    community: Option<CommunityId>,
    street: Option<StreetId>,
}

impl NewDemo {
    fn new(username: &str, role: Role, about: &str) -> Self {
        Self {
            username: username.to_owned(),
            role,
            about: about.to_owned(),
            phone: None,
            provider: None,
            community: None,
            street: None,
        }
    }

    fn phone(self, phone: &str) -> Self {
        Self { phone: Some(phone.to_owned()), ..self }
    }

    fn community(self, c: CommunityId) -> Self {
        Self { community: Some(c), ..self }
    }

    fn street(self, s: StreetId) -> Self {
        Self { street: Some(s), ..self }
    }

    fn provider(self, p: ProviderId) -> Self {
        Self { provider: Some(p), ..self }
    }
}

/// Items of a category in the demo catalog, for tests and demos that need a concrete id.
pub fn demo_item_ids(category: Category) -> Vec<i32> {
    catalog::build().into_iter().filter(|i| i.category == category).map(|i| i.id).collect()
}
