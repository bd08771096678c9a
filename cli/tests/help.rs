//! `--help` of the tool and of every command, snapshotted (`tests/snapshots/`; review a
//! change with `cargo insta review`, or rerun with `INSTA_UPDATE=always` and read the diff).

mod support;

use support::Project;

const COMMANDS: [&str; 12] = [
    "create",
    "status",
    "migrate",
    "rollback",
    "validate",
    "retry",
    "mark-completed",
    "mark-all-completed",
    "forget",
    "rebless",
    "import",
    "lint",
];

#[test]
fn help_output() {
    let project = Project::new();
    let top = project.run(&["--help"]);
    top.ok();
    insta::assert_snapshot!("help", top.stdout);
    for command in COMMANDS {
        let run = project.run(&[command, "--help"]);
        run.ok();
        insta::assert_snapshot!(format!("help_{command}"), run.stdout);
    }
}

#[test]
fn every_command_is_snapshotted() {
    let project = Project::new();
    let help = project.run(&["--help"]).stdout;
    let listed: Vec<&str> = help
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter(|line| !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    assert_eq!(listed, COMMANDS);
}

#[test]
fn version() {
    Project::new()
        .run(&["--version"])
        .ok()
        .stdout_has(concat!("switchy-migrate ", env!("CARGO_PKG_VERSION")));
}
