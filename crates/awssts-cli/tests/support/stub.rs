//! A small STS stand-in on 127.0.0.1: it answers AssumeRole with fresh,
//! numbered credentials of a chosen lifetime and GetCallerIdentity with the
//! access key that signed the request, and counts the calls, so tests can
//! tell a cached answer from a new STS call. It keeps every request body,
//! so tests can see what a client sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

pub struct StubSts {
    pub url: String,
    state: Arc<State>,
    accept: Option<std::thread::JoinHandle<()>>,
}

struct State {
    assume_role: AtomicUsize,
    get_caller_identity: AtomicUsize,
    lifetime: Duration,
    stop: AtomicBool,
    bodies: Mutex<Vec<String>>,
}

impl StubSts {
    /// A server whose AssumeRole credentials live for `lifetime`.
    pub fn start(lifetime: Duration) -> StubSts {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State {
            assume_role: AtomicUsize::new(0),
            get_caller_identity: AtomicUsize::new(0),
            lifetime,
            stop: AtomicBool::new(false),
            bodies: Mutex::new(Vec::new()),
        });
        let shared = state.clone();
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(conn, &shared);
                });
            }
        });
        StubSts {
            url,
            state,
            accept: Some(accept),
        }
    }

    pub fn assume_role_calls(&self) -> usize {
        self.state.assume_role.load(Ordering::SeqCst)
    }

    pub fn get_caller_identity_calls(&self) -> usize {
        self.state.get_caller_identity.load(Ordering::SeqCst)
    }

    /// The form bodies received so far, in order.
    pub fn bodies(&self) -> Vec<String> {
        self.state.bodies.lock().unwrap().clone()
    }
}

impl Drop for StubSts {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// One request per connection (answered with `Connection: close`).
fn serve(conn: TcpStream, state: &State) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut content_length = 0usize;
    let mut authorization = String::new();
    for _ in 0..100 {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("authorization") {
                authorization = value.to_owned();
            }
        }
    }
    let mut body = vec![0; content_length.min(1 << 20)];
    reader.read_exact(&mut body)?;
    let body = String::from_utf8_lossy(&body);
    state.bodies.lock().unwrap().push(body.clone().into_owned());
    let signer = authorization
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').next())
        .unwrap_or("")
        .to_owned();
    let (status, xml) = if body.contains("Action=AssumeRole&")
        || body.ends_with("Action=AssumeRole")
    {
        let n = state.assume_role.fetch_add(1, Ordering::SeqCst) + 1;
        // STS gives whole seconds.
        let end = (SystemTime::now() + state.lifetime)
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let expiration =
            awssts::DateTime::from_system_time(SystemTime::UNIX_EPOCH + Duration::from_secs(end))
                .to_string();
        (
            200,
            format!(
                "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
                 <Credentials><AccessKeyId>ASIASTUB{n:08}</AccessKeyId>\
                 <SecretAccessKey>stub-secret-{n}</SecretAccessKey>\
                 <SessionToken>stub-token-{n}</SessionToken>\
                 <Expiration>{expiration}</Expiration></Credentials>\
                 <AssumedRoleUser><AssumedRoleId>AROASTUB:s{n}</AssumedRoleId>\
                 <Arn>arn:aws:sts::123456789012:assumed-role/demo/s{n}</Arn></AssumedRoleUser>\
                 </AssumeRoleResult><ResponseMetadata><RequestId>req-{n}</RequestId></ResponseMetadata>\
                 </AssumeRoleResponse>"
            ),
        )
    } else if body.contains("Action=GetCallerIdentity") {
        let n = state.get_caller_identity.fetch_add(1, Ordering::SeqCst) + 1;
        (
            200,
            format!(
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                 <GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/demo/x</Arn>\
                 <UserId>{signer}</UserId><Account>123456789012</Account></GetCallerIdentityResult>\
                 <ResponseMetadata><RequestId>gci-{n}</RequestId></ResponseMetadata>\
                 </GetCallerIdentityResponse>"
            ),
        )
    } else {
        (
            400,
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>\
             <Message>stub: unknown action</Message></Error><RequestId>x</RequestId></ErrorResponse>"
                .to_owned(),
        )
    };
    let mut conn = conn;
    write!(
        conn,
        "HTTP/1.1 {status} {}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
        if status == 200 { "OK" } else { "Bad Request" },
        xml.len()
    )?;
    conn.flush()
}
