//! Signing up, codes, refreshing and passwords.

use std::path::Path;

use serde_json::{Value, json};

use super::{Api, Reply};

impl Api {
    pub async fn send_code(&self, phone: &str, purpose: &str) -> Reply {
        self.post("/api/v1/auth/codes", None, json!({ "phone": phone, "purpose": purpose })).await
    }

    pub async fn create_own_account(&self, phone: &str, code: &str, password: &str) -> Reply {
        let body = json!({ "phone": phone, "code": code, "display_name": "王阿姨", "password": password });
        self.post("/api/v1/auth/sign-up", None, body).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.post("/api/v1/auth/refresh", None, json!({ "refresh_token": refresh_token })).await
    }

    pub async fn reset_password(&self, phone: &str, code: &str, new_password: &str) -> Reply {
        let body = json!({ "phone": phone, "code": code, "new_password": new_password });
        self.post("/api/v1/auth/password-reset", None, body).await
    }

    pub async fn change_password(&self, token: &str, current: &str, new_password: &str) -> Reply {
        let body = json!({ "current_password": current, "new_password": new_password });
        self.send(reqwest::Method::PUT, "/api/v1/me/password", Some(token), Some(body), &[]).await
    }

    /// Signs in and returns the whole answer (access token, refresh token, account).
    pub async fn sign_in(&self, login: &str, password: &str) -> Reply {
        self.post("/api/v1/auth/login", None, json!({ "login": login, "password": password })).await
    }

    pub async fn me(&self, token: &str) -> Reply {
        self.get("/api/v1/me", Some(token)).await
    }
}

/// The code in the last text to `phone` that the development SMS adapter wrote under `data_dir`.
pub fn texted_code(data_dir: &Path, phone: &str) -> Option<String> {
    let log = std::fs::read_to_string(data_dir.join("sms.log")).ok()?;
    let line = log.lines().rev().find(|l| l.split('\t').nth(1) == Some(phone))?;
    let text = line.split('\t').nth(2)?;
    text.split(|c: char| !c.is_ascii_digit()).find(|run| run.len() == 6).map(str::to_owned)
}

/// Every text to `phone` in the development SMS file.
pub fn texts_to(data_dir: &Path, phone: &str) -> Vec<String> {
    let log = std::fs::read_to_string(data_dir.join("sms.log")).unwrap_or_default();
    log.lines()
        .filter(|l| l.split('\t').nth(1) == Some(phone))
        .filter_map(|l| l.split('\t').nth(2).map(str::to_owned))
        .collect()
}

/// The tokens of a sign-in or refresh answer.
pub fn tokens(reply: &Reply) -> (String, String) {
    let token = |v: &Value| v.as_str().expect("a token").to_owned();
    (token(&reply.body["token"]), token(&reply.body["refresh_token"]))
}
