//! Running `awssts` and the AWS CLI as child processes, each with its own
//! HOME and AWS_* variables (never the test process's environment).

#![allow(dead_code)]

pub mod compare;
pub mod emulator;
// The library's helper, shared rather than copied.
#[path = "../../../awssts/tests/support/moto.rs"]
pub mod moto;
pub mod stub;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

mod venv;
pub use venv::venv;

/// The reference data: `$AWSSTS_REFERENCE_DIR`, or `shared/reference` beside
/// the repository.
pub fn reference_dir() -> PathBuf {
    let dir = match std::env::var_os("AWSSTS_REFERENCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference"),
    };
    assert!(
        dir.is_dir(),
        "reference data not found at {}: check out `shared/` beside the repository \
         or set AWSSTS_REFERENCE_DIR to its `reference` folder",
        dir.display()
    );
    dir
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Output {
    /// Asserts success with nothing on stderr, and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "exit code; stderr: {}", self.stderr);
        assert_eq!(self.stderr, "", "stderr of a successful run");
        &self.stdout
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok()).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// A sandbox: a temporary HOME with `.aws/config`, and the variables every
/// child gets. Long-term keys in the environment, region us-east-1, IMDS off.
pub struct Sandbox {
    pub home: tempfile::TempDir,
    pub vars: Vec<(String, String)>,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".aws")).unwrap();
        // AWS CLI v1 prints v2's ISO 8601 timestamps with this setting.
        std::fs::write(
            home.path().join(".aws/config"),
            "[default]\ncli_timestamp_format = iso8601\n",
        )
        .unwrap();
        let vars = [
            ("HOME", home.path().to_str().unwrap()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            // The AWS CLI would page long output through `less`.
            ("AWS_PAGER", ""),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        Sandbox { home, vars }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Sets (or with `None` removes) a variable for later runs.
    pub fn var(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        self.vars.retain(|(k, _)| k != name);
        if let Some(v) = value {
            self.vars.push((name.to_owned(), v.to_owned()));
        }
        self
    }

    /// Writes a file under HOME and returns its path.
    pub fn file(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.home().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn run_program(&self, program: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Output {
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
            code: out.status.code().unwrap_or(-1),
        }
    }

    /// Runs `awssts ARGS`.
    pub fn awssts(&self, args: &[&str]) -> Output {
        self.run_program(Path::new(env!("CARGO_BIN_EXE_awssts")), args)
    }

    /// Runs `aws sts ARGS` (the AWS CLI from the venv).
    pub fn aws(&self, args: &[&str]) -> Output {
        let mut full = vec!["sts"];
        full.extend_from_slice(args);
        self.aws_cmd(&full)
    }

    /// Runs `aws ARGS` (any AWS CLI command).
    pub fn aws_cmd(&self, args: &[&str]) -> Output {
        let aws = venv().join("bin/aws");
        assert!(
            aws.is_file(),
            "the AWS CLI is not installed at {}: run the tests with scripts/test.sh, which \
             installs requirements-test.txt into the venv (or set AWSSTS_VENV)",
            aws.display()
        );
        self.run_program(&aws, args)
    }
}
