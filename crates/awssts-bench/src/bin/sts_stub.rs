//! A canned STS endpoint for the client benchmarks: answers
//! `GetCallerIdentity` and `AssumeRole` over keep-alive HTTP/1.1 with fixed
//! XML, doing as little work per request as it can so that it is never the
//! bottleneck. Prints `listening on http://127.0.0.1:PORT`, then serves until
//! killed (or stdin closes).

use std::io::Write;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const GCI: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/bench</Arn>
    <UserId>AIDAEXAMPLEBENCHUSER</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
"#;

const ASSUME_ROLE: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>bench</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/bench</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:bench</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==</SessionToken>
      <Expiration>2036-07-15T23:28:33.359Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
"#;

fn response(body: &str) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\nx-amzn-requestid: 01234567-89ab-cdef-0123-456789abcdef\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body.as_bytes());
    r
}

fn main() -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_io()
        .build()?;
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on http://127.0.0.1:{port}")?;
            out.flush()?;
        }
        // The parent closes our stdin to stop us.
        tokio::spawn(async {
            let mut stdin = tokio::io::stdin();
            let mut buf = [0u8; 64];
            while let Ok(n) = stdin.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
            std::process::exit(0);
        });
        let gci: &'static [u8] = Box::leak(response(GCI).into_boxed_slice());
        let assume: &'static [u8] = Box::leak(response(ASSUME_ROLE).into_boxed_slice());
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(serve(stream, gci, assume));
        }
    })
}

async fn serve(mut stream: TcpStream, gci: &'static [u8], assume: &'static [u8]) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut filled = 0;
    loop {
        // Find the end of the head, then wait for Content-Length body bytes.
        let (head_end, body_len) = loop {
            if let Some(end) = find(&buf[..filled], b"\r\n\r\n") {
                let len = content_length(&buf[..end]).unwrap_or(0);
                if filled >= end + 4 + len {
                    break (end + 4, len);
                }
            }
            if filled == buf.len() {
                return;
            }
            match stream.read(&mut buf[filled..]).await {
                Ok(0) | Err(_) => return,
                Ok(n) => filled += n,
            }
        };
        let body = &buf[head_end..head_end + body_len];
        let reply = if find(body, b"Action=AssumeRole").is_some() {
            assume
        } else {
            gci
        };
        if stream.write_all(reply).await.is_err() {
            return;
        }
        let used = head_end + body_len;
        buf.copy_within(used..filled, 0);
        filled -= used;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(head).ok()?;
    text.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())
            .flatten()
    })
}
