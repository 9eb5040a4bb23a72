//! Whole-process time and binary size: `awssts get-caller-identity` beside a
//! minimal aws-sdk-sts program doing the same call
//! (`sdk_get_caller_identity`) and the AWS CLI (`aws sts
//! get-caller-identity` from the repo's venv), all against the same local
//! emulator, in one run. Runs alternate between the commands so that a slow
//! phase of the machine hits each; the table shows median and minimum wall
//! time per process, and the size of each binary file as built (the release
//! profile strips symbols).
//!
//! ```text
//! cargo build --release -p awssts-cli -p awssts-bench --bin awssts --bin sdk_get_caller_identity --bin cli_startup
//! target/release/cli_startup [--runs N] [--aws-runs M] [--awssts PATH] [--sdk PATH]
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let runs: usize = opt("--runs").map_or(Ok(50), |v| v.parse())?;
    let aws_runs: usize = opt("--aws-runs").map_or(Ok(5), |v| v.parse())?;
    let here = std::env::current_exe()?
        .parent()
        .ok_or("no directory for this executable")?
        .to_path_buf();
    let awssts = opt("--awssts").map_or_else(|| here.join("awssts"), PathBuf::from);
    let sdk = opt("--sdk").map_or_else(|| here.join("sdk_get_caller_identity"), PathBuf::from);
    let venv = std::env::var_os("AWSSTS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".venv"));
    let aws = venv.join("bin/aws");
    for bin in [&awssts, &sdk] {
        if !bin.is_file() {
            return Err(format!("{} not found: build it first (see --help)", bin.display()).into());
        }
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let emulator = rt.block_on(awssts_emulator::Emulator::new().start())?;
    let url = emulator.url();
    let home = std::env::temp_dir().join(format!("awssts-cli-startup-{}", std::process::id()));
    std::fs::create_dir_all(&home)?;

    let mut commands = vec![
        Cmd::new("awssts", &awssts, &["get-caller-identity"]),
        Cmd::new("aws-sdk-sts", &sdk, &[]),
    ];
    if aws.is_file() {
        commands.push(Cmd::new("aws (CLI)", &aws, &["sts", "get-caller-identity"]));
    } else {
        eprintln!("{} not found: the AWS CLI is left out", aws.display());
    }
    for round in 0..runs.max(aws_runs) {
        for cmd in commands.iter_mut() {
            let wanted = if cmd.name.starts_with("aws (") {
                aws_runs
            } else {
                runs
            };
            if round < wanted {
                cmd.run(&url, &home)?;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&home);

    println!("GetCallerIdentity against the local emulator, one process per call");
    println!(
        "{:<12} {:>6} {:>12} {:>12} {:>12}",
        "command", "runs", "median", "min", "binary"
    );
    for cmd in &commands {
        let size = if cmd.name.starts_with("aws (") {
            "-".to_owned()
        } else {
            format!("{:.2} MB", std::fs::metadata(&cmd.bin)?.len() as f64 / 1e6)
        };
        println!(
            "{:<12} {:>6} {:>9.2} ms {:>9.2} ms {:>12}",
            cmd.name,
            cmd.times.len(),
            ms(cmd.median()),
            ms(cmd.min()),
            size
        );
    }
    let (a, s) = (&commands[0], &commands[1]);
    println!(
        "awssts / aws-sdk-sts: time {:.2}× (median), size {:.2}×",
        ms(a.median()) / ms(s.median()),
        std::fs::metadata(&a.bin)?.len() as f64 / std::fs::metadata(&s.bin)?.len() as f64
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct Cmd {
    name: &'static str,
    bin: PathBuf,
    args: Vec<String>,
    times: Vec<Duration>,
}

impl Cmd {
    fn new(name: &'static str, bin: &Path, args: &[&str]) -> Cmd {
        Cmd {
            name,
            bin: bin.to_path_buf(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            times: Vec::new(),
        }
    }

    /// One process, from spawn to exit; its answer must be the emulator's
    /// identity, so a command that fails fast cannot look fast.
    fn run(&mut self, url: &str, home: &Path) -> Result<(), BoxError> {
        let start = Instant::now();
        let out = Command::new(&self.bin)
            .args(&self.args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env(
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            )
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", url)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null())
            .output()?;
        let elapsed = start.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || !stdout.contains("123456789012") {
            return Err(format!(
                "{} failed ({}): {}{}",
                self.name,
                out.status,
                stdout,
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        self.times.push(elapsed);
        Ok(())
    }

    fn median(&self) -> Duration {
        let mut t = self.times.clone();
        t.sort_unstable();
        t.get(t.len() / 2).copied().unwrap_or_default()
    }

    fn min(&self) -> Duration {
        self.times.iter().min().copied().unwrap_or_default()
    }
}
