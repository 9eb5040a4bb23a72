//! Client overhead, awssts against aws-sdk-sts, side by side in one run.
//!
//! Starts the canned STS stub (`sts_stub`, a separate process so its CPU is
//! not counted), then for each operation, concurrency and client runs a
//! child process that sends the requests and reports: CPU time per request
//! (getrusage of the child: user + system), requests per second, p50/p99
//! latency and peak RSS. Clients alternate round by round so that a slow
//! phase of the machine hits both; the table shows the median round.
//!
//! A third "client", `floor`, does only what any HTTP client must: it
//! writes a fixed request of awssts's size on a kept-alive connection and
//! reads the response up to its Content-Length, on the same runtime. Its
//! CPU per request is the part of every client's figure that the kernel
//! (loopback TCP, waking the stub and being woken) and the runtime cost;
//! the table also shows each client's CPU above that floor.
//!
//! ```text
//! cargo run --release -p awssts-bench --bin client_overhead -- [--requests N] [--rounds R]
//! ```

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/demo";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Which {
    Awssts,
    Sdk,
    Floor,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Which::Awssts => "awssts",
            Which::Sdk => "sdk",
            Which::Floor => "floor",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    GetCallerIdentity,
    AssumeRole,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::GetCallerIdentity => "GetCallerIdentity",
            Op::AssumeRole => "AssumeRole",
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Sample {
    cpu_us: f64,
    rps: f64,
    p50_us: f64,
    p99_us: f64,
    maxrss_kb: f64,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// One request of the measured kind, boxed so both clients fit one loop.
type CallFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), BoxError>> + Send>>;
type Call = Arc<dyn Fn() -> CallFuture + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if args.first().map(String::as_str) == Some("child") {
        let which = match opt("--client").as_deref() {
            Some("awssts") => Which::Awssts,
            Some("sdk") => Which::Sdk,
            Some("floor") => Which::Floor,
            other => {
                return Err(format!("--client must be awssts, sdk or floor, got {other:?}").into());
            }
        };
        let op = match opt("--op").as_deref() {
            Some("GetCallerIdentity") => Op::GetCallerIdentity,
            Some("AssumeRole") => Op::AssumeRole,
            other => return Err(format!("unknown --op {other:?}").into()),
        };
        let concurrency: usize = opt("--concurrency").ok_or("--concurrency")?.parse()?;
        let requests: usize = opt("--requests").ok_or("--requests")?.parse()?;
        let url = opt("--url").ok_or("--url")?;
        let s = child(which, op, concurrency, requests, &url)?;
        println!(
            "{} {} {} {} {}",
            s.cpu_us, s.rps, s.p50_us, s.p99_us, s.maxrss_kb
        );
        return Ok(());
    }
    let requests: usize = opt("--requests")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    let rounds: usize = opt("--rounds").map(|s| s.parse()).transpose()?.unwrap_or(3);
    parent(requests, rounds)
}

fn parent(requests: usize, rounds: usize) -> Result<(), BoxError> {
    let exe = std::env::current_exe()?;
    let stub_path = exe.with_file_name("sts_stub");
    let mut stub = Command::new(&stub_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "cannot start {}: {e} (build it with --bins)",
                stub_path.display()
            )
        })?;
    let mut line = String::new();
    BufReader::new(stub.stdout.take().ok_or("stub stdout")?).read_line(&mut line)?;
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or_else(|| format!("unexpected stub output {line:?}"))?
        .to_owned();

    println!(
        "client overhead: {requests} requests per run, {rounds} rounds (median shown), stub at {url}\n"
    );
    println!(
        "| operation | conc. | client | CPU µs/req | req/s | p50 µs | p99 µs | peak RSS MiB |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    let mut ratios = Vec::new();
    for op in [Op::GetCallerIdentity, Op::AssumeRole] {
        for concurrency in [1usize, 16, 64] {
            let mut ours = Vec::new();
            let mut theirs = Vec::new();
            let mut floors = Vec::new();
            for _ in 0..rounds {
                for which in [Which::Awssts, Which::Sdk, Which::Floor] {
                    let s = run_child(&exe, which, op, concurrency, requests, &url)?;
                    match which {
                        Which::Awssts => ours.push(s),
                        Which::Sdk => theirs.push(s),
                        Which::Floor => floors.push(s),
                    }
                }
            }
            let (a, s, f) = (median(&ours), median(&theirs), median(&floors));
            for (name, m) in [("awssts", a), ("aws-sdk-sts", s), ("floor", f)] {
                println!(
                    "| {} | {concurrency} | {name} | {:.1} | {:.0} | {:.0} | {:.0} | {:.1} |",
                    op.name(),
                    m.cpu_us,
                    m.rps,
                    m.p50_us,
                    m.p99_us,
                    m.maxrss_kb / 1024.0
                );
            }
            ratios.push((
                op,
                concurrency,
                s.cpu_us / a.cpu_us,
                (s.cpu_us - f.cpu_us, a.cpu_us - f.cpu_us),
                a.rps / s.rps,
                s.maxrss_kb / a.maxrss_kb,
            ));
        }
    }
    println!(
        "\n| operation | conc. | CPU: sdk / awssts | CPU above floor µs: sdk / awssts | req/s: awssts / sdk | RSS: sdk / awssts |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (op, c, cpu, (sdk_above, ours_above), rps, rss) in ratios {
        println!(
            "| {} | {c} | {cpu:.2}× | {sdk_above:.1} / {ours_above:.1} | {rps:.2}× | {rss:.2}× |",
            op.name()
        );
    }
    drop(stub.stdin.take());
    let _ = stub.kill();
    let _ = stub.wait();
    Ok(())
}

fn median(samples: &[Sample]) -> Sample {
    let pick = |f: fn(&Sample) -> f64| {
        let mut v: Vec<f64> = samples.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Sample {
        cpu_us: pick(|s| s.cpu_us),
        rps: pick(|s| s.rps),
        p50_us: pick(|s| s.p50_us),
        p99_us: pick(|s| s.p99_us),
        maxrss_kb: pick(|s| s.maxrss_kb),
    }
}

fn run_child(
    exe: &std::path::Path,
    which: Which,
    op: Op,
    concurrency: usize,
    requests: usize,
    url: &str,
) -> Result<Sample, BoxError> {
    let out = Command::new(exe)
        .args([
            "child",
            "--client",
            which.name(),
            "--op",
            op.name(),
            "--concurrency",
            &concurrency.to_string(),
            "--requests",
            &requests.to_string(),
            "--url",
            url,
        ])
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "child {which:?} {op:?} c={concurrency} failed: {}",
            out.status
        )
        .into());
    }
    let text = String::from_utf8(out.stdout)?;
    let v: Vec<f64> = text
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    match v[..] {
        [cpu_us, rps, p50_us, p99_us, maxrss_kb] => Ok(Sample {
            cpu_us,
            rps,
            p50_us,
            p99_us,
            maxrss_kb,
        }),
        _ => Err(format!("bad child output {text:?}").into()),
    }
}

fn child(
    which: Which,
    op: Op,
    concurrency: usize,
    requests: usize,
    url: &str,
) -> Result<Sample, BoxError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let call: Call = match which {
            Which::Awssts => {
                let client = awssts::Client::builder()
                    .env(awssts::env::Env::from_vars(std::iter::empty::<(
                        String,
                        String,
                    )>()))
                    .region("us-east-1")
                    .endpoint_url(url)
                    .credentials(awssts::credentials::Credentials::from_keys(
                        ACCESS_KEY, SECRET,
                    ))
                    .build()?;
                Arc::new(move || {
                    let client = client.clone();
                    Box::pin(async move {
                        match op {
                            Op::GetCallerIdentity => {
                                client.get_caller_identity().send().await?;
                            }
                            Op::AssumeRole => {
                                client
                                    .assume_role()
                                    .role_arn(ROLE_ARN)
                                    .role_session_name("bench")
                                    .duration_seconds(3600)
                                    .send()
                                    .await?;
                            }
                        }
                        Ok(())
                    })
                })
            }
            Which::Sdk => {
                use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
                let conf = aws_sdk_sts::Config::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .region(Region::new("us-east-1"))
                    .credentials_provider(Credentials::new(ACCESS_KEY, SECRET, None, None, "bench"))
                    .endpoint_url(url)
                    .build();
                let client = aws_sdk_sts::Client::from_conf(conf);
                Arc::new(move || {
                    let client = client.clone();
                    Box::pin(async move {
                        match op {
                            Op::GetCallerIdentity => {
                                client.get_caller_identity().send().await?;
                            }
                            Op::AssumeRole => {
                                client
                                    .assume_role()
                                    .role_arn(ROLE_ARN)
                                    .role_session_name("bench")
                                    .duration_seconds(3600)
                                    .send()
                                    .await?;
                            }
                        }
                        Ok(())
                    })
                })
            }
            Which::Floor => floor::call(url, op)?,
        };
        // Warm up: connections, caches, lazy statics.
        for _ in 0..(requests / 10).clamp(50, 500) {
            call().await?;
        }
        let (cpu0, _) = read_usage()?;
        let start = Instant::now();
        let per_task = requests / concurrency;
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let call = call.clone();
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let t = Instant::now();
                    call().await?;
                    lat.push(t.elapsed().as_micros() as u32);
                }
                Ok::<_, BoxError>(lat)
            }));
        }
        let mut lat = Vec::with_capacity(requests);
        for t in tasks {
            lat.extend(t.await??);
        }
        let wall = start.elapsed();
        let (cpu1, rss) = read_usage()?;
        lat.sort_unstable();
        let n = lat.len().max(1);
        let pct = |p: f64| lat[((n as f64 * p) as usize).min(n - 1)] as f64;
        Ok(Sample {
            cpu_us: (cpu1 - cpu0).as_secs_f64() * 1e6 / n as f64,
            rps: n as f64 / wall.as_secs_f64(),
            p50_us: pct(0.50),
            p99_us: pct(0.99),
            maxrss_kb: rss,
        })
    })
}

/// CPU time (user + system) and peak RSS (KiB) of this process.
fn read_usage() -> Result<(Duration, f64), BoxError> {
    use nix::sys::resource::{UsageWho, getrusage};
    let u = getrusage(UsageWho::RUSAGE_SELF)?;
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::new(t.tv_sec().max(0) as u64, (t.tv_usec().max(0) as u32) * 1000)
    };
    // ru_maxrss is in KiB on Linux.
    Ok((tv(u.user_time()) + tv(u.system_time()), u.max_rss() as f64))
}

/// The least any client does per request; see the module comment.
mod floor {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::{BoxError, Call, Op};

    /// A request of the size awssts sends (same head fields, a signature
    /// of the same length); the stub answers by the `Action` in the body.
    fn request(host: &str, op: Op) -> Vec<u8> {
        let body = match op {
            Op::GetCallerIdentity => "Action=GetCallerIdentity&Version=2011-06-15".to_owned(),
            Op::AssumeRole => format!(
                "Action=AssumeRole&Version=2011-06-15&RoleArn={}&RoleSessionName=bench&DurationSeconds=3600",
                super::ROLE_ARN.replace(':', "%3A").replace('/', "%2F")
            ),
        };
        let signature = "0".repeat(64);
        format!(
            "POST / HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
             user-agent: awssts/0.1.0\r\nx-amz-date: 20261205T120000Z\r\n\
             authorization: AWS4-HMAC-SHA256 Credential={}/20261205/us-east-1/sts/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, Signature={signature}\r\n\
             content-length: {}\r\n\r\n{body}",
            super::ACCESS_KEY,
            body.len()
        )
        .into_bytes()
    }

    pub(super) fn call(url: &str, op: Op) -> Result<Call, BoxError> {
        let host = url
            .strip_prefix("http://")
            .ok_or("the floor client speaks plain HTTP only")?
            .trim_end_matches('/')
            .to_owned();
        let request: Arc<[u8]> = request(&host, op).into();
        let idle: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        Ok(Arc::new(move || {
            let (host, request, idle) = (host.clone(), request.clone(), idle.clone());
            Box::pin(async move {
                let kept = idle.lock().map_err(|_| "poisoned")?.pop();
                let mut stream = match kept {
                    Some(s) => s,
                    None => {
                        let s = TcpStream::connect(&host).await?;
                        s.set_nodelay(true)?;
                        s
                    }
                };
                stream.write_all(&request).await?;
                let mut buf = [0u8; 4096];
                let mut filled = 0;
                loop {
                    let n = stream.read(&mut buf[filled..]).await?;
                    if n == 0 {
                        return Err("the stub closed the connection".into());
                    }
                    filled += n;
                    if complete(&buf[..filled]) {
                        break;
                    }
                    if filled == buf.len() {
                        return Err("response larger than 4 KiB".into());
                    }
                }
                idle.lock().map_err(|_| "poisoned")?.push(stream);
                Ok(())
            })
        }))
    }

    /// Whether `buf` holds a whole response: the head and Content-Length
    /// bytes of body (the stub always sends Content-Length).
    fn complete(buf: &[u8]) -> bool {
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            return false;
        };
        let head = String::from_utf8_lossy(&buf[..end]);
        let length = head
            .split("\r\n")
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())
                    .flatten()
            })
            .unwrap_or(0);
        buf.len() >= end + 4 + length
    }
}
