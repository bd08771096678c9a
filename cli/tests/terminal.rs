//! Behaviour on a terminal: confirmation prompts, colour (and `NO_COLOR`), the progress bar.
//! The tool runs under util-linux `script`, which gives it a pseudo-terminal; skipped with
//! a notice where `script` is missing.

mod support;

use std::io::Write as _;
use std::process::{Command, Stdio};

use support::Project;

/// Runs `switchy-migrate args` on a pseudo-terminal in `project`, typing `input`.
/// `None` when `script` is not installed.
fn on_terminal(
    project: &Project,
    args: &str,
    input: &str,
    env: &[(&str, &str)],
) -> Option<(i32, String)> {
    if Command::new("script").arg("--version").output().is_err() {
        let _ = writeln!(
            std::io::stderr(),
            "note: terminal test skipped: util-linux `script` is not installed"
        );
        return None;
    }
    let line = format!("{} {args}", support::binary().display());
    let mut command = Command::new("script");
    command
        .args(["-qec", &line, "/dev/null"])
        .current_dir(project.path());
    for variable in [
        "SWITCHY_DATABASE_URL",
        "DATABASE_URL",
        "NO_COLOR",
        "SWITCHY_MIGRATIONS_DIR",
        "SWITCHY_MIGRATION_TABLE",
    ] {
        command.env_remove(variable);
    }
    command.envs(env.iter().copied());
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    Some((
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).replace('\r', ""),
    ))
}

#[test]
fn dangerous_commands_ask_on_a_terminal() {
    let project = Project::new();
    project.standard();
    let url = project.sqlite_url("app.db");
    let Some((code, output)) = on_terminal(
        &project,
        &format!("mark-completed -d {url} 0001_users"),
        "y\n",
        &[],
    ) else {
        return;
    };
    assert_eq!(code, 0, "{output}");
    assert!(
        output.contains("completed without running it? [y/N]"),
        "{output}"
    );
    assert_eq!(project.completed(&url), ["0001_users"]);

    let (code, output) =
        on_terminal(&project, &format!("forget -d {url} 0001_users"), "n\n", &[]).unwrap();
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("cancelled"), "{output}");
    assert_eq!(project.completed(&url), ["0001_users"]);

    let project = Project::new();
    project.standard();
    let url = project.sqlite_url("app.db");
    project.run(&["migrate", "-d", &url, "--steps", "1"]).ok();
    let (code, output) =
        on_terminal(&project, &format!("rollback -d {url}"), "yes\n", &[]).unwrap();
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("may lose data"), "{output}");
    assert!(project.completed(&url).is_empty());
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let project = Project::new();
    project.standard();
    let url = project.sqlite_url("app.db");
    let Some((code, output)) = on_terminal(&project, &format!("migrate -d {url}"), "", &[]) else {
        return;
    };
    assert_eq!(code, 0, "{output}");
    let (_, coloured) = on_terminal(&project, &format!("status -d {url}"), "", &[]).unwrap();
    assert!(coloured.contains("\u{1b}[32mcompleted"), "{coloured}");
    let (_, plain) = on_terminal(
        &project,
        &format!("status -d {url}"),
        "",
        &[("NO_COLOR", "1")],
    )
    .unwrap();
    assert!(!plain.contains('\u{1b}'), "{plain}");
    let (_, error) =
        on_terminal(&project, &format!("migrate -d {url} --up-to nope"), "", &[]).unwrap();
    assert!(error.contains("\u{1b}[31merror:"), "{error}");
}
