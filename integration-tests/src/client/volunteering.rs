//! The volunteering endpoints: registrations, events, shifts and sign-ups, attendance, problems.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Api, Reply};

impl Api {
    /// A Party member registers (报到) with the community they live in.
    pub async fn register(&self, token: &str, body: Value) -> Reply {
        self.post("/api/v1/party-members/registrations", Some(token), body).await
    }

    pub async fn confirm_registration(&self, token: &str, id: &str) -> Reply {
        self.post(&format!("/api/v1/registrations/{id}/confirm"), Some(token), json!({})).await
    }

    pub async fn reject_registration(&self, token: &str, id: &str, body: Value) -> Reply {
        self.post(&format!("/api/v1/registrations/{id}/reject"), Some(token), body).await
    }

    /// An organizer creates an event (with its dates and shifts) in a community.
    pub async fn create_event(&self, token: &str, community: i32, body: Value) -> Reply {
        self.post(&format!("/api/v1/communities/{community}/events"), Some(token), body).await
    }

    pub async fn sign_up(&self, token: &str, shift: &str) -> Reply {
        self.post(&format!("/api/v1/shifts/{shift}/signups"), Some(token), json!({})).await
    }

    /// Cancels the caller's own sign-up.
    pub async fn cancel_sign_up(&self, token: &str, shift: &str) -> Reply {
        self.send(Method::DELETE, &format!("/api/v1/shifts/{shift}/signups/me"), Some(token), None, &[]).await
    }

    /// `check-in` or `check-out` with the shift's code.
    pub async fn attend(&self, token: &str, shift: &str, which: &str, code: &str) -> Reply {
        self.post(&format!("/api/v1/shifts/{shift}/{which}"), Some(token), json!({ "code": code })).await
    }

    pub async fn roster(&self, token: &str, shift: &str) -> Reply {
        self.get(&format!("/api/v1/shifts/{shift}/roster"), Some(token)).await
    }

    pub async fn create_branch(&self, token: &str, body: Value) -> Reply {
        self.post("/api/v1/admin/branches", Some(token), body).await
    }

    /// Pairs a branch with a community; `community` as the path has it, so a test can send one that is not a
    /// number.
    pub async fn pair_branch(&self, token: &str, branch: &str, community: &str) -> Reply {
        let path = format!("/api/v1/admin/branches/{branch}/communities/{community}");
        self.send(Method::PUT, &path, Some(token), None, &[]).await
    }

    pub async fn post_problem(&self, token: &str, community: i32, body: Value) -> Reply {
        self.post(&format!("/api/v1/communities/{community}/problems"), Some(token), body).await
    }

    /// Closes a problem the caller's branch took, solved or not, with its outcome.
    pub async fn close_problem(&self, token: &str, problem: &str, body: Value) -> Reply {
        self.post(&format!("/api/v1/problems/{problem}/close"), Some(token), body).await
    }

    pub async fn take_problem(&self, token: &str, problem: &str) -> Reply {
        self.post(&format!("/api/v1/problems/{problem}/take"), Some(token), json!({})).await
    }
}
