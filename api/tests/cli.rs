//! The `linli` command line: help on every subcommand, and clear refusals of bad configuration.

use std::process::Command;

fn linli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_linli")).args(args).output().expect("linli runs")
}

#[test]
fn the_help_lists_every_subcommand_and_setting() {
    let out = linli(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for word in [
        "serve",
        "jobs",
        "migrate",
        "seed",
        "--bind",
        "--data-dir",
        "LINLI_BIND",
        "LINLI_DATA_DIR",
        "DATABASE_URL",
        "REDIS_URL",
    ] {
        assert!(text.contains(word), "--help mentions {word}:\n{text}");
    }
}

#[test]
fn every_subcommand_has_its_own_help() {
    for sub in ["serve", "jobs", "migrate", "seed"] {
        let out = linli(&[sub, "--help"]);
        assert!(out.status.success(), "{sub} --help");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: linli"), "{sub}");
    }
}

#[test]
fn a_bind_address_without_a_port_is_refused_with_the_setting_named() {
    let out = linli(&["--bind", "localhost", "migrate"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("LINLI_BIND"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_database_url_of_an_unknown_kind_is_refused() {
    let out =
        Command::new(env!("CARGO_BIN_EXE_linli")).arg("migrate").env("DATABASE_URL", "mysql://x").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL must start with"));
}
