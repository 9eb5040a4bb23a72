//! Signed GetCallerIdentity requests per second served by the awssts
//! emulator, beside moto's server, both under the same awssts client at the
//! same concurrency, in one run.
//!
//! The emulator runs in a child process (this binary with `--serve`) so that
//! its CPU time can be read from `/proc/<pid>/stat` apart from the client's;
//! moto runs from the repo's venv (`AWSSTS_VENV`, else `.venv`, as
//! `scripts/test.sh` creates it). Each server gets a short warm-up, then a
//! time-bounded measured phase; the client process's own CPU (getrusage) is
//! reported too, since on this 2-core machine client and server share the
//! cores.
//!
//! ```text
//! cargo run --release -p awssts-bench --bin emulator_throughput -- [--seconds S] [--concurrency C]
//! ```

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--serve") {
        return serve();
    }
    let opt = |name: &str, default: u64| -> Result<u64, BoxError> {
        match args.iter().position(|a| a == name) {
            None => Ok(default),
            Some(i) => Ok(args
                .get(i + 1)
                .ok_or_else(|| format!("{name} needs a value"))?
                .parse()?),
        }
    };
    let seconds = opt("--seconds", 10)?;
    let concurrency = opt("--concurrency", 16)? as usize;

    let emulator = Server::emulator()?;
    let moto = Server::moto()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    println!(
        "GetCallerIdentity, signed, awssts client, concurrency {concurrency}, {seconds} s per server"
    );
    println!(
        "{:<10} {:>10} {:>10} {:>16} {:>16}",
        "server", "requests", "req/s", "server CPU/req", "client CPU/req"
    );
    let mut results = Vec::new();
    for server in [&emulator, &moto] {
        let r = rt.block_on(measure(server, concurrency, Duration::from_secs(seconds)))?;
        println!(
            "{:<10} {:>10} {:>10.0} {:>13.1} µs {:>13.1} µs",
            server.name, r.requests, r.rps, r.server_cpu_us, r.client_cpu_us
        );
        results.push(r);
    }
    if let [e, m] = results.as_slice() {
        println!("emulator / moto throughput: {:.1}×", e.rps / m.rps);
    }
    Ok(())
}

/// The child: the emulator on a free port until stdin closes.
fn serve() -> Result<(), BoxError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let running = awssts_emulator::Emulator::new().start().await?;
        println!("listening on {}", running.url());
        // The parent closes stdin (or dies) when it is done.
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            let _ = std::io::stdin().read_line(&mut sink);
        })
        .await?;
        running.shutdown().await;
        Ok::<(), BoxError>(())
    })
}

struct Server {
    name: &'static str,
    url: String,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn emulator() -> Result<Server, BoxError> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("--serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("unexpected first line from the emulator: {line:?}"))?
            .to_owned();
        Ok(Server {
            name: "emulator",
            url,
            child,
        })
    }

    fn moto() -> Result<Server, BoxError> {
        let venv = std::env::var_os("AWSSTS_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".venv"));
        let bin = venv.join("bin/moto_server");
        if !bin.is_file() {
            return Err(format!(
                "{} not found: run scripts/test-env.sh first (or set AWSSTS_VENV)",
                bin.display()
            )
            .into());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("moto_server did not listen within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Server {
            name: "moto",
            url: format!("http://127.0.0.1:{port}"),
            child,
        })
    }

    /// User + system CPU time of the server process so far.
    fn cpu(&self) -> Result<Duration, BoxError> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        // Fields after the parenthesised command name; utime and stime are
        // the 14th and 15th fields of the whole line, in clock ticks.
        let rest = stat.rsplit_once(')').ok_or("bad /proc stat")?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields.get(11).ok_or("bad /proc stat")?.parse::<u64>()?
            + fields.get(12).ok_or("bad /proc stat")?.parse::<u64>()?;
        let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)?.unwrap_or(100) as u64;
        Ok(Duration::from_secs_f64(ticks as f64 / hz as f64))
    }
}

struct Outcome {
    requests: u64,
    rps: f64,
    server_cpu_us: f64,
    client_cpu_us: f64,
}

async fn measure(
    server: &Server,
    concurrency: usize,
    length: Duration,
) -> Result<Outcome, BoxError> {
    let client = awssts::Client::builder()
        .region("us-east-1")
        .endpoint_url(server.url.clone())
        .credentials(awssts::credentials::Credentials::from_keys(
            ACCESS_KEY, SECRET,
        ))
        .build()?;
    // Warm-up: connections open, caches filled, moto's lazy imports done.
    run(&client, concurrency, Duration::from_secs(1)).await?;

    let server_cpu0 = server.cpu()?;
    let client_cpu0 = client_cpu()?;
    let start = Instant::now();
    let requests = run(&client, concurrency, length).await?;
    let wall = start.elapsed();
    let server_cpu = server.cpu()? - server_cpu0;
    let client_cpu = client_cpu()? - client_cpu0;
    let n = requests.max(1) as f64;
    Ok(Outcome {
        requests,
        rps: requests as f64 / wall.as_secs_f64(),
        server_cpu_us: server_cpu.as_secs_f64() * 1e6 / n,
        client_cpu_us: client_cpu.as_secs_f64() * 1e6 / n,
    })
}

/// `concurrency` tasks calling until `length` has passed; every answer must
/// be a success, so a server that refuses the signature cannot look fast.
async fn run(
    client: &awssts::Client,
    concurrency: usize,
    length: Duration,
) -> Result<u64, BoxError> {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + length;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let client = client.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let out = client.get_caller_identity().send().await?;
                if out.account.as_deref() != Some("123456789012") {
                    return Err::<(), BoxError>(
                        format!("unexpected account {:?}", out.account).into(),
                    );
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(done.load(Ordering::Relaxed))
}

/// User + system CPU time of this (client) process.
fn client_cpu() -> Result<Duration, BoxError> {
    use nix::sys::resource::{UsageWho, getrusage};
    let u = getrusage(UsageWho::RUSAGE_SELF)?;
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::new(t.tv_sec().max(0) as u64, (t.tv_usec().max(0) as u32) * 1000)
    };
    Ok(tv(u.user_time()) + tv(u.system_time()))
}
