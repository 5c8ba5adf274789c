//! Who may call each operation: one table, [`RULES`], with a row per operation of the API. The use cases
//! enforce these rules (each checks the acting account's role and scope before anything else); the table
//! says them in one place. It is written into each operation's description in `/openapi.json`, the README
//! lists it, and the authorization-matrix test calls every operation as every role, and as nobody, and plays
//! each outsider a row's scope refuses against someone else's object; an operation missing from the table
//! fails that test, and a scoped row on one object that names no outsider fails a unit test here.

use linli_domain::accounts::Role;

/// Who may call an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Anyone, signed in or not.
    Anyone,
    /// Anyone who sends the credential the operation checks (a password, a refresh token): a wrong one is 401.
    Holder,
    /// Any signed-in account.
    Signed,
    /// Signed-in accounts of these roles.
    Roles(&'static [Role]),
}

/// Someone an operation's scope leaves out although their role is admitted: the authorization matrix plays
/// each against an object that is not theirs and expects a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outsider {
    /// A resident, on another resident's order or message.
    Neighbour,
    /// Staff of a provider the order was never offered to, nor held by; on someone else's provider.
    OtherProvider,
    /// A worker of another community, on this community's orders, registrations, problems, events and shifts,
    /// and on a street's figures (a community's worker is not the street's).
    OtherCommunity,
    /// A member of a branch that is neither this one nor paired with the problem's community.
    OtherBranch,
    /// A resident, on a shift opened to Party members only.
    Resident,
    /// An admin, on their own account.
    Themselves,
}

/// One operation's rule: who, within what scope (empty when the role alone decides), and the outsiders that
/// scope refuses.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub method: &'static str,
    pub path: &'static str,
    pub who: Who,
    pub scope: &'static str,
    pub refuses: &'static [Outsider],
}

use Outsider::{Neighbour, OtherBranch, OtherCommunity, OtherProvider, Themselves};
use Role::{Admin as A, CommunityWorker as W, PartyMember as P, ProviderStaff as S, Resident as R};

const fn rule(method: &'static str, path: &'static str, who: Who, scope: &'static str) -> Rule {
    Rule { method, path, who, scope, refuses: &[] }
}

impl Rule {
    const fn refusing(self, refuses: &'static [Outsider]) -> Rule {
        Rule { refuses, ..self }
    }
}

const ANYONE: Who = Who::Anyone;
const SIGNED: Who = Who::Signed;
const ADMINS: Who = Who::Roles(&[A]);
const WORKERS: Who = Who::Roles(&[W, A]);
const PROVIDERS: Who = Who::Roles(&[S, P]);
const MEMBERS: Who = Who::Roles(&[P]);

/// Every operation's rule, in the order of the API.
pub const RULES: &[Rule] = &[
    rule("GET", "/healthz", ANYONE, ""),
    rule("GET", "/readyz", ANYONE, ""),
    rule("POST", "/api/v1/auth/login", Who::Holder, "the account's password"),
    rule("POST", "/api/v1/auth/refresh", Who::Holder, "a live refresh token"),
    rule("POST", "/api/v1/auth/logout", SIGNED, "their own session"),
    rule("POST", "/api/v1/auth/logout-all", SIGNED, "their own sessions"),
    rule("PUT", "/api/v1/me/password", SIGNED, "their own account"),
    rule("PUT", "/api/v1/me/language", SIGNED, "their own account"),
    rule("GET", "/api/v1/me/export", SIGNED, "their own data"),
    rule("POST", "/api/v1/me/erase", Who::Roles(&[R, P]), "their own account"),
    rule("GET", "/api/v1/me", SIGNED, "their own account"),
    rule("GET", "/api/v1/catalog/categories", ANYONE, ""),
    rule("GET", "/api/v1/catalog/items", ANYONE, ""),
    rule("GET", "/api/v1/catalog/search", ANYONE, ""),
    rule("GET", "/api/v1/catalog/items/{id}", ANYONE, ""),
    rule("GET", "/api/v1/catalog/items/{id}/open-times", ANYONE, ""),
    rule("GET", "/api/v1/geo/districts", ANYONE, ""),
    rule("GET", "/api/v1/geo/districts/{id}/streets", ANYONE, ""),
    rule("GET", "/api/v1/geo/streets/{id}/communities", ANYONE, ""),
    rule("GET", "/api/v1/geo/communities/{id}", ANYONE, ""),
    rule("POST", "/api/v1/orders", Who::Roles(&[R, W]), "for themselves; a worker for a resident of any community"),
    rule("GET", "/api/v1/orders", Who::Roles(&[R, S, P]), "a resident's own orders; staff their provider's jobs"),
    rule(
        "GET",
        "/api/v1/orders/{id}",
        SIGNED,
        "the resident's own; offered to or held by the caller's provider (the address and the resident's name and number only once accepted); a worker of its community or who filed it; admins",
    ).refusing(&[Neighbour, OtherProvider, OtherCommunity]),
    rule("POST", "/api/v1/orders/{id}/reschedule", Who::Roles(&[R]), "their own order").refusing(&[Neighbour]),
    rule("POST", "/api/v1/orders/{id}/cancel", Who::Roles(&[R, W, A]), "the resident's own; a worker of its community or who filed it").refusing(&[Neighbour, OtherCommunity]),
    rule("GET", "/api/v1/area/orders", WORKERS, "their community's or street's and those they filed (admins every one)"),
    rule("GET", "/api/v1/area/orders.csv", WORKERS, "their community's or street's and those they filed (admins every one)"),
    rule("GET", "/api/v1/residents", WORKERS, "residents of any community"),
    rule("POST", "/api/v1/residents", WORKERS, "a resident of any community"),
    rule("GET", "/api/v1/residents/{id}", WORKERS, ""),
    rule("POST", "/api/v1/care-plans", Who::Roles(&[R, W]), "for themselves; a worker for a resident of any community"),
    rule("GET", "/api/v1/care-plans", Who::Roles(&[R, W, A]), "their own; a worker their community's or street's and those they set up (admins every one)"),
    rule("GET", "/api/v1/care-plans/{id}", Who::Roles(&[R, W, A]), "the resident's own; a worker of its community or who set it up").refusing(&[Neighbour, OtherCommunity]),
    rule("POST", "/api/v1/care-plans/{id}/pause", Who::Roles(&[R, W]), "the resident's own; a worker of its community or who set it up").refusing(&[Neighbour, OtherCommunity]),
    rule("POST", "/api/v1/care-plans/{id}/skip", Who::Roles(&[R, W]), "the resident's own; a worker of its community or who set it up").refusing(&[Neighbour, OtherCommunity]),
    rule("POST", "/api/v1/care-plans/{id}/time", Who::Roles(&[R, W]), "the resident's own; a worker of its community or who set it up").refusing(&[Neighbour, OtherCommunity]),
    rule("POST", "/api/v1/care-plans/{id}/cancel", Who::Roles(&[R, W]), "the resident's own; a worker of its community or who set it up").refusing(&[Neighbour, OtherCommunity]),
    rule("GET", "/api/v1/offers", PROVIDERS, "offers to their own provider"),
    rule("POST", "/api/v1/orders/{id}/accept", PROVIDERS, "offered to their provider").refusing(&[OtherProvider]),
    rule("POST", "/api/v1/orders/{id}/decline", PROVIDERS, "offered to their provider").refusing(&[OtherProvider]),
    rule("POST", "/api/v1/orders/{id}/hand-back", PROVIDERS, "accepted by their provider, before it starts").refusing(&[OtherProvider]),
    rule("POST", "/api/v1/orders/{id}/start", PROVIDERS, "held by their provider").refusing(&[OtherProvider]),
    rule("POST", "/api/v1/orders/{id}/complete", PROVIDERS, "held by their provider").refusing(&[OtherProvider]),
    rule("POST", "/api/v1/orders/{id}/assignee", Who::Roles(&[S]), "held by their organization").refusing(&[OtherProvider]),
    rule("GET", "/api/v1/provider/staff", Who::Roles(&[S]), "their own organization's"),
    rule("GET", "/api/v1/provider/availability", Who::Roles(&[S]), "their own organization's"),
    rule("PUT", "/api/v1/provider/availability", Who::Roles(&[S]), "their own organization, by its managers"),
    rule("POST", "/api/v1/provider/pause", Who::Roles(&[S]), "their own organization, by its managers"),
    rule("GET", "/api/v1/provider/profile", Who::Roles(&[S]), "their own organization's"),
    rule("PATCH", "/api/v1/provider/profile", Who::Roles(&[S]), "their own organization, by its managers"),
    rule("GET", "/api/v1/provider/team", Who::Roles(&[S]), "their own organization's, for its managers"),
    rule("POST", "/api/v1/provider/team/{id}/disable", Who::Roles(&[S]), "their own organization's staff, by its managers; not their own account").refusing(&[OtherProvider]),
    rule("POST", "/api/v1/provider/team/{id}/enable", Who::Roles(&[S]), "their own organization's staff, by its managers").refusing(&[OtherProvider]),
    rule("POST", "/api/v1/provider/resume", Who::Roles(&[S]), "their own organization, by its managers"),
    rule("GET", "/api/v1/escalations", WORKERS, "their community's or street's (admins every community's)"),
    rule("POST", "/api/v1/orders/{id}/assign", WORKERS, "an escalated order of their community or street").refusing(&[OtherCommunity]),
    rule("POST", "/api/v1/orders/{id}/close", WORKERS, "an escalated order of their community or street").refusing(&[OtherCommunity]),
    rule("POST", "/api/v1/orders/{id}/confirm", Who::Roles(&[R]), "their own completed order").refusing(&[Neighbour]),
    rule("POST", "/api/v1/orders/{id}/dispute", Who::Roles(&[R]), "their own completed order").refusing(&[Neighbour]),
    rule("PUT", "/api/v1/orders/{id}/rating", Who::Roles(&[R]), "their own settled order").refusing(&[Neighbour]),
    rule("GET", "/api/v1/disputes", WORKERS, "their community's or street's (admins every community's)"),
    rule("POST", "/api/v1/orders/{id}/dispute/resolve", WORKERS, "a disputed visit of their community or street").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/follow-ups", WORKERS, "their community's or street's (admins every community's)"),
    rule("POST", "/api/v1/orders/{id}/follow-up", WORKERS, "a completed order of their community or street").refusing(&[OtherCommunity]),
    rule("POST", "/api/v1/orders/{id}/complaint", WORKERS, "a completed order of their community or street").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/complaints", Who::Roles(&[W, S, A]), "their community's or street's; staff their organization's"),
    rule("POST", "/api/v1/complaints/{id}/answer", Who::Roles(&[S]), "a complaint against their organization").refusing(&[OtherProvider]),
    rule("GET", "/api/v1/inbox", SIGNED, "their own messages"),
    rule("GET", "/api/v1/inbox/unread-count", SIGNED, "their own messages"),
    rule("POST", "/api/v1/inbox/{id}/read", SIGNED, "their own message").refusing(&[Neighbour]),
    rule("POST", "/api/v1/inbox/read-all", SIGNED, "their own messages"),
    rule("GET", "/api/v1/live", SIGNED, "what changed for them alone"),
    rule("GET", "/api/v1/provider/webhook", Who::Roles(&[S]), "their own organization's"),
    rule("PUT", "/api/v1/provider/webhook", Who::Roles(&[S]), "their own organization's"),
    rule("DELETE", "/api/v1/provider/webhook", Who::Roles(&[S]), "their own organization's"),
    rule("POST", "/api/v1/provider/webhook/rotate-secret", Who::Roles(&[S]), "their own organization's"),
    rule("GET", "/api/v1/admin/deliveries", ADMINS, ""),
    rule("POST", "/api/v1/admin/deliveries/{id}/replay", ADMINS, ""),
    rule("GET", "/api/v1/admin/jobs", ADMINS, ""),
    rule("POST", "/api/v1/admin/providers", ADMINS, ""),
    rule("POST", "/api/v1/admin/catalog/items", ADMINS, ""),
    rule("PATCH", "/api/v1/admin/catalog/items/{id}", ADMINS, ""),
    rule("POST", "/api/v1/admin/catalog/items/{id}/retire", ADMINS, ""),
    rule("POST", "/api/v1/admin/catalog/items/{id}/restore", ADMINS, ""),
    rule("PUT", "/api/v1/admin/catalog/items/{id}/questions", ADMINS, ""),
    rule("GET", "/api/v1/providers/{id}", Who::Roles(&[S, P, A]), "their own provider").refusing(&[OtherProvider]),
    rule("POST", "/api/v1/admin/accounts", ADMINS, ""),
    rule("PATCH", "/api/v1/admin/accounts/{id}", ADMINS, ""),
    rule("GET", "/api/v1/admin/providers/{id}", ADMINS, ""),
    rule("PATCH", "/api/v1/admin/providers/{id}", ADMINS, ""),
    rule("POST", "/api/v1/admin/streets", ADMINS, ""),
    rule("PATCH", "/api/v1/admin/streets/{id}", ADMINS, ""),
    rule("POST", "/api/v1/admin/communities", ADMINS, ""),
    rule("PATCH", "/api/v1/admin/communities/{id}", ADMINS, ""),
    rule("GET", "/api/v1/providers", WORKERS, ""),
    rule("GET", "/api/v1/admin/accounts", ADMINS, ""),
    rule("GET", "/api/v1/admin/audit", ADMINS, ""),
    rule("GET", "/api/v1/admin/audit.csv", ADMINS, ""),
    rule("POST", "/api/v1/auth/codes", ANYONE, ""),
    rule("POST", "/api/v1/auth/sign-up", ANYONE, "the holder of the texted code"),
    rule("POST", "/api/v1/auth/password-reset", ANYONE, "the holder of the texted code"),
    rule("POST", "/api/v1/auth/invitations/accept", ANYONE, "the holder of the invitation"),
    rule("POST", "/api/v1/providers/{id}/invitations", Who::Roles(&[S, A]), "staff who manage that organization").refusing(&[OtherProvider]),
    rule("POST", "/api/v1/admin/accounts/{id}/disable", ADMINS, "not their own account").refusing(&[Themselves]),
    rule("POST", "/api/v1/admin/accounts/{id}/enable", ADMINS, ""),
    rule("POST", "/api/v1/party-members/registrations", MEMBERS, "for themselves"),
    rule("GET", "/api/v1/party-members/me/registrations", MEMBERS, "their own"),
    rule("GET", "/api/v1/communities/{id}/registrations", WORKERS, "their community's").refusing(&[OtherCommunity]),
    rule("POST", "/api/v1/registrations/{id}/confirm", WORKERS, "their community's").refusing(&[OtherCommunity]),
    rule("POST", "/api/v1/registrations/{id}/reject", WORKERS, "their community's").refusing(&[OtherCommunity]),
    rule("POST", "/api/v1/admin/branches", ADMINS, ""),
    rule("GET", "/api/v1/branches", SIGNED, ""),
    rule("GET", "/api/v1/branches/{id}", SIGNED, ""),
    rule("PUT", "/api/v1/admin/branches/{id}/communities/{community_id}", ADMINS, ""),
    rule("DELETE", "/api/v1/admin/branches/{id}/communities/{community_id}", ADMINS, ""),
    rule("POST", "/api/v1/communities/{id}/problems", WORKERS, "their community").refusing(&[OtherCommunity]),
    rule(
        "GET",
        "/api/v1/communities/{id}/problems",
        Who::Roles(&[W, P, A]),
        "their community's; a member of a paired branch the open ones and their branch's",
    ).refusing(&[OtherCommunity, OtherBranch]),
    rule("GET", "/api/v1/branches/{id}/problems", Who::Roles(&[P, A]), "a member of that branch").refusing(&[OtherBranch]),
    rule("POST", "/api/v1/problems/{id}/take", MEMBERS, "for their branch, paired with the problem's community").refusing(&[OtherBranch]),
    rule("POST", "/api/v1/problems/{id}/close", MEMBERS, "a problem their branch took").refusing(&[OtherBranch]),
    rule("POST", "/api/v1/communities/{id}/events", WORKERS, "their community").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/communities/{id}/events", SIGNED, ""),
    rule("GET", "/api/v1/events/{id}", SIGNED, ""),
    rule("PATCH", "/api/v1/occurrences/{id}", WORKERS, "an event of their community").refusing(&[OtherCommunity]),
    rule("PATCH", "/api/v1/shifts/{id}", WORKERS, "an event of their community").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/shifts/{id}", SIGNED, ""),
    rule("GET", "/api/v1/communities/{id}/shifts", SIGNED, ""),
    rule("POST", "/api/v1/shifts/{id}/signups", Who::Roles(&[P, R]), "residents only for shifts opened to them").refusing(&[Outsider::Resident]),
    rule("DELETE", "/api/v1/shifts/{id}/signups/me", SIGNED, "their own place"),
    rule("GET", "/api/v1/me/shifts", SIGNED, "their own"),
    rule("POST", "/api/v1/shifts/{id}/check-in", SIGNED, "their own place, with the shift's code"),
    rule("POST", "/api/v1/shifts/{id}/check-out", SIGNED, "their own place, with the shift's code"),
    rule("POST", "/api/v1/shifts/{id}/attendance", WORKERS, "an event of their community").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/shifts/{id}/roster", WORKERS, "an event of their community").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/shifts/{id}/roster.csv", WORKERS, "an event of their community").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/me/hours", SIGNED, "their own"),
    rule("GET", "/api/v1/communities/{id}/hours", WORKERS, "their community's").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/communities/{id}/dashboard", WORKERS, "their community's (a street worker's: any of their street)").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/communities/{id}/dashboard.csv", WORKERS, "their community's (a street worker's: any of their street)").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/communities/{id}/map", WORKERS, "their community's (a street worker's: any of their street)").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/streets/{id}/dashboard", WORKERS, "a street worker's own street").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/streets/{id}/dashboard.csv", WORKERS, "a street worker's own street").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/streets/{id}/map", WORKERS, "a street worker's own street").refusing(&[OtherCommunity]),
    rule("GET", "/api/v1/service-levels", WORKERS, "their community's or street's (admins any area)"),
    rule("GET", "/api/v1/branches/{id}/hours", Who::Roles(&[P, A]), "a member of that branch").refusing(&[OtherBranch]),
    rule("GET", "/api/v1/hours-quota/{year}", SIGNED, ""),
    rule("PUT", "/api/v1/admin/hours-quota/{year}", ADMINS, ""),
    rule("POST", "/api/v1/me/calendar-feed", SIGNED, "their own"),
    rule("DELETE", "/api/v1/me/calendar-feed", SIGNED, "their own"),
    rule("GET", "/api/v1/calendar/{token}", ANYONE, "the holder of the feed's token"),
];

impl Who {
    pub fn admits(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Who::Anyone | Who::Holder, _) => true,
            (_, None) => false,
            (Who::Signed, Some(_)) => true,
            (Who::Roles(roles), Some(r)) => roles.contains(&r),
        }
    }

    /// How the spec and README say it.
    pub fn describe(self) -> String {
        match self {
            Who::Anyone => "anyone, signed in or not".to_owned(),
            Who::Holder => "anyone holding the credential it checks".to_owned(),
            Who::Signed => "any signed-in account".to_owned(),
            Who::Roles(roles) => roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
        }
    }
}

/// The rule of an operation, by method and path as the spec writes them.
pub fn rule_of(method: &str, path: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.method.eq_ignore_ascii_case(method) && r.path == path)
}

/// The spec with each operation's rule added to its description, so that a reader of `/openapi.json` (or of
/// `/docs`) sees who may call it.
pub fn annotate(spec: &str) -> String {
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(spec) else {
        return spec.to_owned();
    };
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (method, op) in item.iter_mut() {
                let Some(rule) = rule_of(method, path) else { continue };
                let mut line = format!("Who may call: {}", rule.who.describe());
                if !rule.scope.is_empty() {
                    line.push_str(&format!(" ({})", rule.scope));
                }
                line.push('.');
                let description = op["description"].as_str().map(|d| format!("{d}\n\n{line}")).unwrap_or(line);
                op["description"] = serde_json::Value::String(description);
            }
        }
    }
    doc.to_string()
}

/// The table as the README shows it.
pub fn markdown_table() -> String {
    let mut out = String::from("| operation | who may call | scope |\n| --- | --- | --- |\n");
    for r in RULES {
        out.push_str(&format!("| `{} {}` | {} | {} |\n", r.method, r.path, r.who.describe(), r.scope));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_every_rule_as_the_table_says() {
        let readme = include_str!("../../README.md");
        let table = markdown_table();
        assert!(
            readme.contains(&table),
            "README.md's table of who may call what is out of date; it should read:\n{table}"
        );
    }

    #[test]
    fn every_scoped_rule_on_one_object_names_the_outsiders_its_scope_refuses() {
        for r in RULES {
            let scoped = matches!(r.who, Who::Roles(_)) && !r.scope.is_empty() && r.path.contains("{id}");
            assert!(!scoped || !r.refuses.is_empty(), "{} {} names no outsider for the matrix", r.method, r.path);
        }
    }

    #[test]
    fn each_operation_has_one_rule() {
        for (n, a) in RULES.iter().enumerate() {
            assert!(RULES[n + 1..].iter().all(|b| (a.method, a.path) != (b.method, b.path)), "{} {}", a.method, a.path);
        }
    }

    #[test]
    fn the_spec_says_who_may_call_each_operation() {
        let spec = r#"{"paths":{"/api/v1/me":{"get":{"description":"The account behind the token."}}}}"#;
        let annotated: serde_json::Value = serde_json::from_str(&annotate(spec)).unwrap();
        assert_eq!(
            annotated["paths"]["/api/v1/me"]["get"]["description"],
            "The account behind the token.\n\nWho may call: any signed-in account (their own account)."
        );
    }
}
