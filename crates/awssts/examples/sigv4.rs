//! Signs an STS `AssumeRole` request and a presigned `GetCallerIdentity` URL
//! (the EKS token form) with AWS's documented example keys, then verifies
//! both the way a server does. Runs offline, with no AWS account.
//!
//! ```text
//! cargo run -p awssts --example sigv4
//! ```

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use awssts::sigv4::{self, Payload, SignableRequest, SigningParams, VerifyOptions, VerifyRequest};

const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const HOST: &str = "sts.eu-west-1.amazonaws.com";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn lookup(access_key_id: &str) -> Option<&'static str> {
    (access_key_id == ACCESS_KEY_ID).then_some(SECRET_ACCESS_KEY)
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let now = SystemTime::now();
    let params = SigningParams::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY, "eu-west-1", "sts", now);

    // 1. An AssumeRole POST, signed in header mode.
    let body = b"Action=AssumeRole&Version=2011-06-15\
        &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=demo";
    let headers = [
        ("host", HOST),
        (
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
    ];
    let request = SignableRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        payload: Payload::Bytes(body),
    };
    let signed = sigv4::sign(&request, &params)?;
    println!("POST https://{HOST}/ (AssumeRole), signed:");
    for (name, value) in signed.headers() {
        println!("  {name}: {value}");
    }

    let mut received: Vec<(&str, &str)> = headers.to_vec();
    received.extend(signed.headers());
    let incoming = VerifyRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &received,
        body,
    };
    let verified = sigv4::verify(&incoming, lookup, now, &VerifyOptions::default())?;
    println!(
        "  verified: signed by {} for {}/{}",
        verified.access_key_id, verified.scope.region, verified.scope.service
    );

    let tampered_body = b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A999999999999%3Arole%2Fadmin&RoleSessionName=demo";
    let tampered = VerifyRequest {
        body: tampered_body,
        ..incoming
    };
    match sigv4::verify(&tampered, lookup, now, &VerifyOptions::default()) {
        Err(e) => println!("  the same headers with another role in the body: refused ({e})"),
        Ok(_) => return Err("a tampered request verified".into()),
    }

    // 2. A presigned GetCallerIdentity URL, as `aws eks get-token` makes.
    let query = "Action=GetCallerIdentity&Version=2011-06-15";
    let eks_headers = [("host", HOST), ("x-k8s-aws-id", "demo-cluster")];
    let get = SignableRequest {
        method: "GET",
        path: "/",
        query,
        headers: &eks_headers,
        payload: Payload::Bytes(b""),
    };
    let presigned = sigv4::presign(&get, &params, Duration::from_secs(60))?;
    println!("\nPresigned GetCallerIdentity (valid 60 s, x-k8s-aws-id signed):");
    println!("  {}", presigned.url(&format!("https://{HOST}/")));
    let incoming = VerifyRequest {
        method: "GET",
        path: "/",
        query: presigned.query(),
        headers: &eks_headers,
        body: b"",
    };
    let verified = sigv4::verify(&incoming, lookup, now, &VerifyOptions::default())?;
    let until = verified.expires_at.ok_or("a presigned URL has an expiry")?;
    println!(
        "  verified: signed by {}, valid until {}",
        verified.access_key_id,
        sigv4::AmzDate::from_system_time(until)?
    );
    let later = now + Duration::from_secs(61);
    match sigv4::verify(&incoming, lookup, later, &VerifyOptions::default()) {
        Err(e) => println!("  61 s later: refused ({e})"),
        Ok(_) => return Err("an expired URL verified".into()),
    }
    Ok(())
}
