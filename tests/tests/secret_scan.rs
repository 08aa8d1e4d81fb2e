//! The secret scan as a real job over planted fixtures, and moving a found value into a real
//! Secret Service (gnome-keyring-daemon) where a runbook can use it.

use roxy_tests::*;
use std::collections::BTreeSet;
use std::time::Duration;

// Built from parts so no credential-shaped text sits in the source tree.
fn github_token() -> String {
    format!("ghp_{}", "Xy7Qk2Lm9Np4Rs8Tv1Wz5Bc3Df6Gh0Jk2Mn4")
}
const CLIENT_SECRET: &str = "GOCSPX-4fT9qLw2Zr7Xv1Kp";

fn plant(root: &std::path::Path) {
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "notes/setup.md",
        &format!(
            "# Setup\n\nThe CI uses token {} for releases.\n",
            github_token()
        ),
    );
    write(
        "project/.credentials.json",
        &format!(
            "{{\n  \"client_id\": \"roxy-app\",\n  \"client_secret\": \"{CLIENT_SECRET}\"\n}}\n"
        ),
    );
    write(
        "keys/deploy",
        &format!("-----BEGIN OPENSSH {}-----\nb3BlbnNzaA==\n", "PRIVATE KEY"),
    );
    // Clean: placeholders, references and prose.
    write(
        "clean/config.yaml",
        "password: changeme\ntoken: ${NTFY_TOKEN}\napi_key: <your key>\nNote: rotate the password yearly.\n",
    );
    // Skipped: tool folders and binary files.
    write(".git/config", &format!("token = {}\n", github_token()));
    let mut binary = vec![0u8; 16];
    binary.extend(github_token().as_bytes());
    std::fs::write(root.join("notes/image.bin"), binary).unwrap();
}

#[test]
fn the_scan_finds_planted_credentials_only_and_import_moves_one_into_the_store() {
    let bus = TestBus::new();
    let _service = SecretService::start(&bus);
    let docs = bus.dir.path().join("docs");
    plant(&docs);

    let out = bus.roxyctl(&["--json", "secret", "scan", docs.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.contains(&github_token()[4..]),
        "a raw value was printed"
    );
    assert!(!text.contains(CLIENT_SECRET), "a raw value was printed");
    let last = text.lines().last().unwrap();
    let findings: serde_json::Value = serde_json::from_str(last).unwrap();
    let found: BTreeSet<(String, u64, u64, String)> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            (
                file.strip_prefix(docs.to_str().unwrap())
                    .unwrap()
                    .to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, u64, u64, String)> = [
        ("/keys/deploy", 1, 1, "private key"),
        ("/notes/setup.md", 3, 19, "GitHub token"),
        ("/project/.credentials.json", 3, 21, "password or token"),
    ]
    .into_iter()
    .map(|(f, l, c, k)| (f.to_owned(), l, c, k.to_owned()))
    .collect();
    assert_eq!(found, expected);

    let place = format!("{}:3:21", docs.join("project/.credentials.json").display());
    let imported = bus.roxyctl(&["secret", "import", &place, "gdrive-secret"]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert_eq!(
        bus.roxyctl_json(&["secret", "list"]),
        serde_json::json!(["gdrive-secret"])
    );
    // The stored value is the one in the file: a runbook sees it.
    let expected_file = bus.dir.path().join("expected");
    std::fs::write(&expected_file, CLIENT_SECRET).unwrap();
    let proof = bus.dir.path().join("same");
    bus.write_runbook(
        "uses",
        &format!(
            "secrets: {{ S: gdrive-secret }}\nsteps:\n  - run: test \"$S\" = \"$(cat {})\" && touch {}\n",
            expected_file.display(),
            proof.display()
        ),
    );
    assert!(bus.wait_for(Duration::from_secs(10), || {
        bus.roxyctl(&["runbook", "show", "uses"]).status.success()
    }));
    assert!(bus
        .roxyctl(&["runbook", "run", "uses", "--follow"])
        .status
        .success());
    assert!(proof.exists());

    let wrong = bus.roxyctl(&[
        "secret",
        "import",
        &format!("{}:2:5", docs.join("project/.credentials.json").display()),
        "x-name",
    ]);
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("No credential at"),
        "{}",
        stderr(&wrong)
    );
    let audit = bus.roxyctl(&["audit", "export", "--jsonl"]);
    assert!(stdout(&audit).contains("secret.import"));
    assert!(!stdout(&audit).contains(CLIENT_SECRET));
}

#[test]
fn a_scan_of_something_that_is_not_a_folder_says_so() {
    let bus = TestBus::new();
    let out = bus.roxyctl(&["secret", "scan", "/no/such/folder"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is not a folder"), "{}", stderr(&out));
}
