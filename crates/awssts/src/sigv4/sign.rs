//! Signing in header mode ([`sign`]) and query mode ([`presign`]).

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use super::canonical::{self, Header};
use super::encode::{self, ascii_str, hex32};
use super::sink::{HashSink, HmacKey, Sink, sha256};
use super::{
    ALGORITHM, AmzDate, Error, MAX_PRESIGN_EXPIRY, Payload, SessionTokenMode, SignableRequest,
    SigningParams, UNSIGNED_PAYLOAD, key,
};

/// The payload hash as it appears in the canonical request.
enum PayloadHash<'a> {
    Computed([u8; 64]),
    Given(&'a str),
}

impl PayloadHash<'_> {
    fn of<'p>(payload: &Payload<'p>) -> Result<PayloadHash<'p>, Error> {
        Ok(match *payload {
            Payload::Bytes(body) => PayloadHash::Computed(hex32(&sha256(body))),
            Payload::Unsigned => PayloadHash::Given(UNSIGNED_PAYLOAD),
            Payload::Precomputed(h) => {
                if h.is_empty() || !h.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(Error::InvalidPayloadHash);
                }
                PayloadHash::Given(h)
            }
        })
    }

    fn as_str(&self) -> &str {
        match self {
            PayloadHash::Computed(h) => ascii_str(h),
            PayloadHash::Given(h) => h,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            PayloadHash::Computed(h) => h,
            PayloadHash::Given(h) => h.as_bytes(),
        }
    }
}

/// Bytes allowed in an access key id, region or service: printable ASCII but
/// the separators of a credential scope and an Authorization header.
const SCOPE_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0x21;
    while b < 0x7f {
        t[b] = !matches!(b as u8, b'/' | b',' | b'=' | b'&');
        b += 1;
    }
    t
};

/// Checks that the access key id, region and service can be written into a
/// credential scope and parsed back.
fn check_scope(params: &SigningParams<'_>) -> Result<(), Error> {
    let fields = [
        ("access key id", params.access_key_id),
        ("region", params.region),
        ("service", params.service),
    ];
    for (field, value) in fields {
        if value.is_empty() {
            return Err(Error::InvalidScope {
                field,
                reason: "it is empty",
            });
        }
        let bad = value.bytes().any(|b| !SCOPE_BYTE[usize::from(b)]);
        if bad {
            return Err(Error::InvalidScope {
                field,
                reason: "it must be printable ASCII without '/', ',', '=' or '&'",
            });
        }
    }
    Ok(())
}

/// `date/region/service/aws4_request`
fn write_scope(out: &mut impl Sink, date: &AmzDate, region: &str, service: &str) {
    out.put(&date.as_bytes()[..8]);
    out.put_byte(b'/');
    out.put(region.as_bytes());
    out.put_byte(b'/');
    out.put(service.as_bytes());
    out.put(b"/aws4_request");
}

/// `AWS4-HMAC-SHA256\ntimestamp\nscope\nhex(canonical request hash)`
fn write_string_to_sign(
    out: &mut impl Sink,
    date: &AmzDate,
    region: &str,
    service: &str,
    canonical_request_hash: &[u8; 32],
) {
    let mut scope = Vec::with_capacity(8 + region.len() + service.len() + 15);
    write_scope(&mut scope, date, region, service);
    write_string_to_sign_with_scope(out, date, &scope, canonical_request_hash);
}

/// The string to sign with its credential scope already written.
fn write_string_to_sign_with_scope(
    out: &mut impl Sink,
    date: &AmzDate,
    scope: &[u8],
    canonical_request_hash: &[u8; 32],
) {
    out.put(b"AWS4-HMAC-SHA256\n");
    out.put(date.as_bytes());
    out.put_byte(b'\n');
    out.put(scope);
    out.put_byte(b'\n');
    out.put(&hex32(canonical_request_hash));
}

/// The string to sign, to show it (it holds no secret).
pub(crate) fn string_to_sign(
    date: &AmzDate,
    region: &str,
    service: &str,
    canonical_request_hash: &[u8; 32],
) -> String {
    let mut sts = Vec::with_capacity(ALGORITHM.len() + 16 + 8 + region.len() + service.len() + 81);
    write_string_to_sign(&mut sts, date, region, service, canonical_request_hash);
    ascii_str(&sts).to_owned()
}

/// The signature (raw MAC) over the string to sign, with the cached signing
/// key; the string to sign goes straight into the MAC.
pub(crate) fn signature(
    secret: &str,
    date: &AmzDate,
    region: &str,
    service: &str,
    canonical_request_hash: &[u8; 32],
) -> [u8; 32] {
    let key = key::keyed_mac(secret, date.date(), region, service);
    let mut sink = key.sink();
    write_string_to_sign(&mut sink, date, region, service, canonical_request_hash);
    key.finish(&mut sink)
}

/// Sorts headers by lowercase name, as the canonical request lists them (stable:
/// values of one name keep their order).
fn sort_headers(headers: &mut [Header<'_>]) {
    headers.sort_by(|a, b| canonical::cmp_name(a.name, b.name));
}

/// The result of [`sign`]: the headers to add to the request.
pub struct SigningOutput<'a> {
    date: AmzDate,
    region: &'a str,
    service: &'a str,
    session_token: Option<&'a str>,
    content_sha256: Option<String>,
    authorization: String,
    signature: [u8; 64],
    canonical_request_hash: [u8; 32],
}

impl<'a> SigningOutput<'a> {
    /// The headers to add, in this order: `X-Amz-Security-Token` (when there
    /// is a session token), `X-Amz-Date`, `x-amz-content-sha256` (when asked
    /// for), `Authorization`. Each replaces any header of the same name.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        let token = self.session_token.map(|t| ("X-Amz-Security-Token", t));
        let date = Some(("X-Amz-Date", self.date.as_str()));
        let sha = self
            .content_sha256
            .as_deref()
            .map(|h| ("x-amz-content-sha256", h));
        let auth = Some(("Authorization", self.authorization.as_str()));
        [token, date, sha, auth].into_iter().flatten()
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The hex signature.
    pub fn signature(&self) -> &str {
        ascii_str(&self.signature)
    }

    /// The `X-Amz-Date` value.
    pub fn date(&self) -> AmzDate {
        self.date
    }

    /// The string that was signed (it holds no secret: the canonical
    /// request appears only as its hash). See [`canonical_request`] for the
    /// canonical request itself.
    pub fn string_to_sign(&self) -> String {
        string_to_sign(
            &self.date,
            self.region,
            self.service,
            &self.canonical_request_hash,
        )
    }
}

impl fmt::Debug for SigningOutput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningOutput")
            .field("date", &self.date)
            .field(
                "session_token",
                &self.session_token.map(|_| "** redacted **"),
            )
            .field("authorization", &self.authorization)
            .finish_non_exhaustive()
    }
}

fn is_managed_header(name: &str, has_token: bool, content_sha: bool) -> bool {
    name.eq_ignore_ascii_case("authorization")
        || name.eq_ignore_ascii_case("x-amz-date")
        || (has_token && name.eq_ignore_ascii_case("x-amz-security-token"))
        || (content_sha && name.eq_ignore_ascii_case("x-amz-content-sha256"))
}

/// Requests with up to this many headers (after the signer's own) are
/// sorted on the stack.
const INLINE_HEADERS: usize = 10;

/// Header references, on the stack when they fit. The inline variant is
/// large on purpose; it lives in one stack frame and is never moved.
#[allow(clippy::large_enum_variant)]
enum HeaderList<'r> {
    Inline([Header<'r>; INLINE_HEADERS], usize),
    Heap(Vec<Header<'r>>),
}

impl<'r> HeaderList<'r> {
    fn with_capacity(n: usize) -> Self {
        if n <= INLINE_HEADERS {
            HeaderList::Inline([Header::EMPTY; INLINE_HEADERS], 0)
        } else {
            HeaderList::Heap(Vec::with_capacity(n))
        }
    }

    fn push(&mut self, h: Header<'r>) {
        match self {
            HeaderList::Inline(arr, len) if *len < INLINE_HEADERS => {
                arr[*len] = h;
                *len += 1;
            }
            HeaderList::Inline(arr, len) => {
                let mut v = arr[..*len].to_vec();
                v.push(h);
                *self = HeaderList::Heap(v);
            }
            HeaderList::Heap(v) => v.push(h),
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Header<'r>] {
        match self {
            HeaderList::Inline(arr, len) => &mut arr[..*len],
            HeaderList::Heap(v) => v,
        }
    }
}

/// Collects the request's headers (checked) minus those the signer writes;
/// fails when there is no host header.
fn collect_headers<'r>(
    req: &SignableRequest<'r>,
    skip: impl Fn(&str) -> bool,
    headers: &mut HeaderList<'r>,
) -> Result<(), Error> {
    let mut has_host = false;
    for &(name, value) in req.headers {
        let plain = canonical::check_header(name, value)?;
        if skip(name) {
            continue;
        }
        has_host |= name.eq_ignore_ascii_case("host");
        headers.push(Header { name, value, plain });
    }
    if !has_host {
        return Err(Error::MissingHost);
    }
    Ok(())
}

/// What `sign` needs before it writes the canonical request: checked
/// parameters, the start of the `Authorization` value and, when signing,
/// the signing key.
struct Prepared {
    date: AmzDate,
    token_plain: bool,
    /// `AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=` so far.
    authorization: String,
    key: Option<HmacKey>,
}

/// Where the credential scope sits in the prepared `Authorization` value.
fn scope_range(params: &SigningParams<'_>) -> std::ops::Range<usize> {
    let start = ALGORITHM.len() + " Credential=".len() + params.access_key_id.len() + 1;
    start..start + 8 + 1 + params.region.len() + 1 + params.service.len() + "/aws4_request".len()
}

/// Checks the parameters and starts the `Authorization` value; with
/// `want_key`, also finds the signing key. The checks and the prefix only
/// depend on the credential and the scope, so a signer that already did
/// them for these (the key cache remembers) just copies the prefix.
fn prepare(
    params: &SigningParams<'_>,
    extra_len: usize,
    want_key: bool,
) -> Result<Prepared, Error> {
    let date = AmzDate::from_system_time(params.time)?;
    let scope = scope_range(params);
    let mut authorization =
        String::with_capacity(scope.end + ", SignedHeaders=".len() + extra_len + 12 + 64);
    let cache_key = key::SignerKey {
        access_key_id: params.access_key_id,
        secret: params.secret_access_key,
        token: params.session_token,
        date: &date.as_bytes()[..8],
        region: params.region,
        service: params.service,
    };
    if want_key && let Some(hit) = key::signer_hit(&cache_key, &mut authorization) {
        return Ok(Prepared {
            date,
            token_plain: hit.token_plain,
            authorization,
            key: Some(hit.key),
        });
    }
    check_scope(params)?;
    let token_plain = match params.session_token {
        Some(t) => canonical::check_header("x-amz-security-token", t)?,
        None => true,
    };
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(params.access_key_id);
    authorization.push('/');
    authorization.push_str(date.date());
    authorization.push('/');
    authorization.push_str(params.region);
    authorization.push('/');
    authorization.push_str(params.service);
    authorization.push_str("/aws4_request, SignedHeaders=");
    let key = want_key.then(|| {
        let key = key::keyed_mac(
            params.secret_access_key,
            date.date(),
            params.region,
            params.service,
        );
        key::remember_signer(&cache_key, token_plain, &authorization);
        key
    });
    Ok(Prepared {
        date,
        token_plain,
        authorization,
        key,
    })
}

/// What writing a header-mode canonical request leaves behind: the
/// Authorization header up to its signature, and what the output needs.
struct HeaderMode<'a> {
    date: AmzDate,
    /// Everything up to `, Signature=`.
    authorization: String,
    key: Option<HmacKey>,
    content_sha256: Option<String>,
    session_token: Option<&'a str>,
}

/// Checks the request and writes its header-mode canonical request into
/// `sink`; shared by [`sign`] (which hashes it) and [`canonical_request`]
/// (which shows it).
fn write_header_mode<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
    sink: &mut impl Sink,
    want_key: bool,
) -> Result<HeaderMode<'a>, Error> {
    canonical::check_method(req.method)?;
    let names_len: usize = req.headers.iter().map(|h| h.0.len() + 1).sum::<usize>() + 64;
    let Prepared {
        date,
        token_plain,
        mut authorization,
        key,
    } = prepare(params, names_len, want_key)?;
    let settings = &params.settings;
    let token = params.session_token;
    let payload = PayloadHash::of(&req.payload)?;

    let skip = |n: &str| is_managed_header(n, token.is_some(), settings.content_sha256_header);
    let mut list = HeaderList::with_capacity(req.headers.len() + 3);
    collect_headers(req, skip, &mut list)?;
    list.push(Header::own("x-amz-date", date.as_str()));
    if let (Some(t), SessionTokenMode::Signed) = (token, settings.session_token) {
        list.push(Header {
            name: "x-amz-security-token",
            value: t,
            plain: token_plain,
        });
    }
    if settings.content_sha256_header {
        list.push(Header::own("x-amz-content-sha256", payload.as_str()));
    }
    let headers = list.as_mut_slice();
    sort_headers(headers);

    let path = canonical::canonical_path(
        req.path,
        settings.normalize_path,
        settings.double_uri_encode,
    )?;
    let mut query = canonical::parse_query(req.query)?;
    canonical::sort_query(&mut query);

    // The signed-headers list is written once, straight into the
    // Authorization value, and fed from there to the canonical request.
    canonical::write_canonical_request(
        sink,
        req.method,
        &path,
        &query,
        headers,
        &mut authorization,
        payload.as_bytes(),
    );

    Ok(HeaderMode {
        date,
        authorization,
        key,
        content_sha256: settings
            .content_sha256_header
            .then(|| payload.as_str().to_owned()),
        session_token: token,
    })
}

/// Signs a request in header mode.
///
/// Returns the headers to add; the request itself is not touched. Any
/// `Authorization`, `X-Amz-Date` (and, when signing with a session token or
/// with `content_sha256_header`, `X-Amz-Security-Token` or
/// `x-amz-content-sha256`) header already in the request is left out of the
/// signature, to be replaced by the returned one.
///
/// The canonical request is hashed as it is produced and never held in
/// memory; [`canonical_request`] shows it when a signature is disputed.
pub fn sign<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
) -> Result<SigningOutput<'a>, Error> {
    let mut sink = HashSink::new();
    let mut mode = write_header_mode(req, params, &mut sink, true)?;
    let hash = sink.finish();
    let key = match mode.key.take() {
        Some(key) => key,
        None => key::keyed_mac(
            params.secret_access_key,
            mode.date.date(),
            params.region,
            params.service,
        ),
    };
    // The scope was written (checked) into the Authorization value: the
    // string to sign takes it from there.
    let scope = mode
        .authorization
        .as_bytes()
        .get(scope_range(params))
        .unwrap_or_default();
    let mut mac = key.sink();
    write_string_to_sign_with_scope(&mut mac, &mode.date, scope, &hash);
    let sig = hex32(&key.finish(&mut mac));
    mode.authorization.push_str(", Signature=");
    mode.authorization.push_str(ascii_str(&sig));
    Ok(SigningOutput {
        date: mode.date,
        region: params.region,
        service: params.service,
        session_token: mode.session_token,
        content_sha256: mode.content_sha256,
        authorization: mode.authorization,
        signature: sig,
        canonical_request_hash: hash,
    })
}

/// The canonical request [`sign`] computes for this request and these
/// parameters, for debugging a signature mismatch. It contains the session
/// token when that is signed.
pub fn canonical_request(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<String, Error> {
    let mut buf = Vec::with_capacity(512);
    write_header_mode(req, params, &mut buf, false)?;
    // Everything written is ASCII or came from the caller's &str values.
    String::from_utf8(buf).map_err(|_| Error::InvalidPath {
        reason: "the canonical request is not UTF-8",
    })
}

/// The SigV4 query parameters, in the order presigned URLs carry them.
const PRESIGN_PARAMS: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
    "X-Amz-Security-Token",
    "X-Amz-Signature",
];

/// The result of [`presign`]: the query string of the presigned URL.
pub struct PresignedRequest {
    query: String,
    signature: [u8; 64],
    date: AmzDate,
    expires_in: Duration,
    canonical_request: Vec<u8>,
    string_to_sign: String,
}

impl PresignedRequest {
    /// The full query string to send (without `?`): the request's own query,
    /// then `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
    /// `X-Amz-SignedHeaders`, `X-Amz-Expires`, `X-Amz-Security-Token` (when
    /// there is a token) and `X-Amz-Signature`.
    ///
    /// It carries the session token: treat it as a secret.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The URL for `base` (scheme, authority and path, e.g.
    /// `https://sts.amazonaws.com/`) with this query.
    pub fn url(&self, base: &str) -> String {
        format!("{base}?{}", self.query)
    }

    /// The hex signature.
    pub fn signature(&self) -> &str {
        ascii_str(&self.signature)
    }

    /// When the URL was signed.
    pub fn date(&self) -> AmzDate {
        self.date
    }

    /// How long the URL stays valid from [`date`](Self::date).
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }

    /// The canonical request that was signed (it contains the session
    /// token when that is signed).
    pub fn canonical_request(&self) -> &str {
        std::str::from_utf8(&self.canonical_request).unwrap_or("")
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }
}

impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query may hold a session token.
        f.debug_struct("PresignedRequest")
            .field("date", &self.date)
            .field("expires_in", &self.expires_in)
            .field("signature", &self.signature())
            .finish_non_exhaustive()
    }
}

/// Signs a request in query mode, for a URL that anyone holding it can use
/// until it expires (1 second to 7 days).
///
/// Every header of the request is signed and must be sent with the URL (at
/// least `host`; EKS tokens add `x-k8s-aws-id`).
pub fn presign(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    expires_in: Duration,
) -> Result<PresignedRequest, Error> {
    canonical::check_method(req.method)?;
    check_scope(params)?;
    let seconds = expires_in.as_secs();
    if seconds == 0 || expires_in > MAX_PRESIGN_EXPIRY {
        return Err(Error::InvalidExpiry { seconds });
    }
    let date = AmzDate::from_system_time(params.time)?;
    let settings = &params.settings;
    let token = params.session_token;
    let payload = PayloadHash::of(&req.payload)?;

    let mut list = HeaderList::with_capacity(req.headers.len());
    collect_headers(req, |n| n.eq_ignore_ascii_case("authorization"), &mut list)?;
    let headers = list.as_mut_slice();
    sort_headers(headers);
    // The signed-headers list goes into the query, which the canonical
    // request holds before the headers: list the names first.
    let mut signed = String::with_capacity(64);
    canonical::write_headers(&mut (), &mut signed, headers);

    let path = canonical::canonical_path(
        req.path,
        settings.normalize_path,
        settings.double_uri_encode,
    )?;
    let mut query = canonical::parse_query(req.query)?;
    for (k, _) in &query {
        if let Some(name) = PRESIGN_PARAMS
            .iter()
            .find(|p| p.as_bytes().eq_ignore_ascii_case(k))
        {
            return Err(Error::AlreadyPresigned { name });
        }
    }

    let mut credential = Vec::with_capacity(96);
    credential.put(params.access_key_id.as_bytes());
    credential.put_byte(b'/');
    write_scope(&mut credential, &date, params.region, params.service);
    let enc = |raw: &[u8]| {
        let mut v = Vec::with_capacity(raw.len() + 16);
        encode::uri_encode_into(&mut v, raw, false);
        v
    };
    let credential = enc(&credential);
    let signed_enc = enc(signed.as_bytes());
    let expires = seconds.to_string();
    let token_enc = token.map(|t| enc(t.as_bytes()));
    let ours: [(&str, Option<&[u8]>); 6] = [
        (PRESIGN_PARAMS[0], Some(ALGORITHM.as_bytes())),
        (PRESIGN_PARAMS[1], Some(&credential)),
        (PRESIGN_PARAMS[2], Some(date.as_bytes())),
        (PRESIGN_PARAMS[3], Some(&signed_enc)),
        (PRESIGN_PARAMS[4], Some(expires.as_bytes())),
        (PRESIGN_PARAMS[5], token_enc.as_deref()),
    ];
    for (i, (name, value)) in ours.iter().enumerate() {
        let signed_param = i != 5 || settings.session_token == SessionTokenMode::Signed;
        if let (Some(v), true) = (value, signed_param) {
            query.push((Cow::Borrowed(name.as_bytes()), Cow::Borrowed(v)));
        }
    }
    canonical::sort_query(&mut query);

    let mut creq = Vec::with_capacity(512);
    canonical::write_canonical_request(
        &mut creq,
        req.method,
        &path,
        &query,
        headers,
        &mut String::new(),
        payload.as_bytes(),
    );
    let hash = sha256(&creq);
    let sig = hex32(&signature(
        params.secret_access_key,
        &date,
        params.region,
        params.service,
        &hash,
    ));

    let mut out = String::with_capacity(req.query.len() + 256 + token.map_or(0, |t| t.len() * 2));
    out.push_str(req.query);
    for (name, value) in ours
        .iter()
        .copied()
        .chain([(PRESIGN_PARAMS[6], Some(&sig[..]))])
    {
        if let Some(v) = value {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            out.push_str(ascii_str(v));
        }
    }
    Ok(PresignedRequest {
        query: out,
        signature: sig,
        date,
        expires_in: Duration::from_secs(seconds),
        string_to_sign: string_to_sign(&date, params.region, params.service, &hash),
        canonical_request: creq,
    })
}

#[cfg(test)]
mod cache_tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn sign_with(akid: &str, token: &str) -> Result<String, Error> {
        let headers = [("host", "sts.amazonaws.com")];
        let req = SignableRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            payload: Payload::Bytes(b"Action=GetCallerIdentity"),
        };
        let params = SigningParams::new(
            akid,
            "signer-cache-test-secret",
            "us-east-1",
            "sts",
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        )
        .with_session_token(token);
        sign(&req, &params).map(|o| o.authorization().to_owned())
    }

    #[test]
    fn a_cached_credential_does_not_vouch_for_another() {
        let first = sign_with("AKIDONE", "token-one").unwrap();
        assert_eq!(sign_with("AKIDONE", "token-one").unwrap(), first);
        // Same secret and scope, other access key id or token: checked and
        // written afresh, not taken from the cache.
        let other = sign_with("AKIDTWO", "token-one").unwrap();
        assert!(other.contains("Credential=AKIDTWO/"), "{other}");
        assert!(sign_with("AKID/BAD", "token-one").is_err());
        assert!(sign_with("AKIDONE", "token\nX-Injected: 1").is_err());
        assert_ne!(sign_with("AKIDONE", "token-two").unwrap(), first);
        assert_eq!(sign_with("AKIDONE", "token-one").unwrap(), first);
    }
}
