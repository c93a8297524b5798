//! What the container image relies on, checked without a container engine: the Dockerfile's
//! settings, and the binary run exactly as the image runs it (configuration from the
//! environment only, all addresses, its own health check, no files beside it).

use std::path::Path;

use crate::process::{command, http_get, run, sigterm, start, stderr, total};

fn dockerfile() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Dockerfile")).unwrap()
}

#[test]
fn the_dockerfile_builds_in_two_stages_and_runs_unprivileged() {
    let file = dockerfile();
    let froms: Vec<&str> = file.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "a builder and a runtime stage: {froms:?}");
    assert!(froms[0].starts_with("FROM rust:"), "{froms:?}");
    assert!(
        froms[1].contains("bookworm-slim") || froms[1].contains("distroless"),
        "{froms:?}"
    );
    let user = file
        .lines()
        .find(|l| l.starts_with("USER "))
        .expect("a USER line");
    assert!(!user.contains("root") && !user.ends_with(" 0"), "{user}");
    for needed in [
        "EXPOSE 8080",
        "INDUSTRY_FACTS_ADDR=0.0.0.0:8080",
        "INDUSTRY_FACTS_DB=/data/",
        "VOLUME [\"/data\"]",
        "CMD [\"industry-facts\", \"healthcheck\"]",
        "cargo build --release --locked",
    ] {
        assert!(file.contains(needed), "the Dockerfile lacks `{needed}`");
    }
    let ignore =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".dockerignore"))
            .unwrap();
    assert!(
        ignore.lines().any(|l| l.trim() == "target"),
        "the build context leaves out target/"
    );
}

/// As in the image: settings only from the environment, listening on every address, a
/// database under a data directory, and nothing else in the working directory.
#[test]
fn the_binary_runs_as_the_image_runs_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut c = command(dir.path());
    c.env("INDUSTRY_FACTS_ADDR", "0.0.0.0:0")
        .env("INDUSTRY_FACTS_DB", data.join("industry-facts.db"));
    let mut server = start(c);
    let port = server.addr.rsplit(':').next().unwrap().to_owned();
    assert!(server.addr.starts_with("0.0.0.0:"), "{}", server.addr);
    let local = format!("127.0.0.1:{port}");
    assert_eq!(http_get(&local, "/health").0, 200);
    assert_eq!(
        total(&local, "/v1/sources"),
        5,
        "the seed is inside the binary"
    );
    assert!(data.join("industry-facts.db").exists());

    // HEALTHCHECK runs `industry-facts healthcheck` with the image's environment.
    let mut check = command(dir.path());
    check
        .arg("healthcheck")
        .env("INDUSTRY_FACTS_ADDR", format!("0.0.0.0:{port}"));
    let out = run(check);
    assert!(out.status.success(), "{}", stderr(&out));

    // `docker stop` sends SIGTERM.
    assert_eq!(sigterm(&mut server).code(), Some(0));
}
