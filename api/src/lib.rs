//! Linli's HTTP API and composition root: configuration, wiring the adapters to the use cases, and the
//! `linli` binary's subcommands. Integration tests build the same [`app::Application`] in-process.

pub mod access;
pub mod app;
mod auth;
mod body;
pub mod config;
mod ical;
mod limits;
mod metrics;
mod problem;
mod routes;
pub mod security;
mod state;
pub mod telemetry;
mod web;
mod wording;

pub use app::{Application, Backends};
pub use config::{ConfigArgs, Settings};
