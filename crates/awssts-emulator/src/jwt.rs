//! JSON Web Tokens: reading the OIDC tokens `AssumeRoleWithWebIdentity`
//! receives, and signing the ones `GetWebIdentityToken` hands out.
//!
//! # Reading
//! [`parse`] checks a token's form (three base64url parts, a JSON header
//! naming an algorithm, a JSON payload with the claims STS relies on) and
//! [`validate`] adds what STS checks next: the signature when the token is
//! the emulator's own, expiry against a caller-supplied `now`, and the
//! audience. Every failure is a [`TokenError`] whose [`code`](TokenError::code)
//! is the STS error code to answer with.
//!
//! Signatures of tokens from other issuers are **not** verified: doing so
//! means fetching the issuer's OIDC discovery document and JWKS over the
//! network, and the emulator is meant to work offline with tokens that tests
//! make up on the spot. Tokens whose `iss` is the emulator's own issuer URL
//! are verified against the emulator's keys, so a test can check that a
//! token from `GetWebIdentityToken` round-trips and a forged one does not.
//! (Real STS refuses its own outbound tokens in `AssumeRoleWithWebIdentity`;
//! accepting them here is an emulator convenience.)
//!
//! # Signing
//! A [`Signer`] holds an ES384 key (ECDSA P-384, generated when the signer
//! is made) and an RS256 key (RSA-2048). RSA key generation costs tens of
//! milliseconds even optimised, so the RS256 key is made on a thread of its
//! own ([`Signer::start_rsa_key`], called when the emulator starts) and
//! async code waits for it with [`Signer::rsa_key_ready`] instead of
//! blocking an async worker; the other methods make it on the spot if it
//! is not there yet. [`Signer::jwks`] publishes both public keys as a JSON
//! Web Key Set; key ids are RFC 7638 thumbprints.
//!
//! Times are Unix seconds (`i64`), always passed in: nothing here reads a
//! clock.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self as sig, KeyPair as _};
use serde_json::{Map, Value, json};
use thiserror::Error;

/// `GetWebIdentityToken`'s token lifetime when `DurationSeconds` is absent.
pub const DEFAULT_WEB_IDENTITY_TOKEN_SECS: i64 = 300;

/// The largest JSON payload [`Signer::issue_web_identity_token`] signs.
///
/// STS does not publish its limit; this one lets a token with the standard
/// claims and a few dozen modest tags through and refuses one that carries
/// 50 maximum-length tags, which is the case STS's
/// `JWTPayloadSizeExceededException` exists for.
pub const MAX_WEB_IDENTITY_PAYLOAD_BYTES: usize = 8 * 1024;

/// Tokens longer than this are refused before any decoding (STS's own
/// `WebIdentityToken` limit is 20,000 characters; the model layer enforces
/// that, this is only a bound on work).
const MAX_TOKEN_LEN: usize = 64 * 1024;

/// The namespace STS nests its own claims under in outbound tokens.
const STS_CLAIMS_NAMESPACE: &str = "https://sts.amazonaws.com/";

/// Why a web identity token was refused. Messages never include the token.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    /// Not a well-formed JWT, or a required claim is missing or mistyped.
    #[error(
        "The web identity token is not a valid JWT: {0}. Pass the OIDC ID token itself (header.payload.signature), not an access token"
    )]
    Malformed(String),
    /// `exp` is not after `now`.
    #[error("Token expired: current date/time {now} must be before the expiration date/time {exp}")]
    Expired {
        /// The time the check was made at, Unix seconds.
        now: i64,
        /// The token's `exp` claim, Unix seconds.
        exp: i64,
    },
    /// `nbf` is after `now`.
    #[error(
        "Token is not yet valid: current date/time {now} must not be before the not-before date/time {nbf}"
    )]
    NotYetValid {
        /// The time the check was made at, Unix seconds.
        now: i64,
        /// The token's `nbf` claim, Unix seconds.
        nbf: i64,
    },
    /// None of `aud` (or `azp`) is an allowed client id.
    #[error("Incorrect token audience")]
    IncorrectAudience,
    /// A token claiming the emulator as issuer whose signature does not
    /// verify against the emulator's keys.
    #[error("The web identity token's signature does not verify against this emulator's keys: {0}")]
    BadSignature(&'static str),
}

impl TokenError {
    /// The STS error code this failure is answered with.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Expired { .. } => "ExpiredTokenException",
            _ => "InvalidIdentityToken",
        }
    }
}

fn malformed(reason: impl Into<String>) -> TokenError {
    TokenError::Malformed(reason.into())
}

/// The claims of a well-formed web identity token.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// The header's `alg`.
    pub alg: String,
    /// The header's `kid`, when present.
    pub kid: Option<String>,
    /// `iss`: the issuer URL, which names the OIDC provider.
    pub iss: String,
    /// `sub`: the user at the provider.
    pub sub: String,
    /// `aud`: one or more client ids (a string or an array in the token).
    pub aud: Vec<String>,
    /// `exp`, Unix seconds (fractions dropped).
    pub exp: i64,
    /// `iat`, Unix seconds, when present.
    pub iat: Option<i64>,
    /// `nbf`, Unix seconds, when present.
    pub nbf: Option<i64>,
    /// `azp`: the authorised party, when present.
    pub azp: Option<String>,
    /// The whole payload, for claims beyond the standard ones.
    pub payload: Map<String, Value>,
}

/// A token that passed [`parse`]: its claims plus what a signature check
/// needs. `Debug` leaves out the token bytes.
#[derive(Clone)]
pub struct ParsedToken {
    /// The decoded claims.
    pub claims: Claims,
    signing_input_len: usize,
    raw: String,
    signature: Vec<u8>,
}

impl fmt::Debug for ParsedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedToken")
            .field("claims", &self.claims)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl ParsedToken {
    /// `header.payload`, the bytes the signature covers.
    fn signing_input(&self) -> &[u8] {
        self.raw
            .as_bytes()
            .get(..self.signing_input_len)
            .unwrap_or_default()
    }
}

/// Checks a token's form and reads its claims, without checking times,
/// audience or signature.
///
/// Requires `iss`, `sub`, `aud` and `exp`; refuses `alg: none` and an empty
/// signature part, which no OIDC provider STS trusts would send.
pub fn parse(token: &str) -> Result<ParsedToken, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(malformed(format!(
            "it is {} characters long, more than the {MAX_TOKEN_LEN} accepted",
            token.len()
        )));
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        let why = if parts.len() == 5 {
            "it has five parts, the shape of an encrypted JWT (JWE), which is not supported"
                .to_owned()
        } else {
            format!(
                "expected three base64url parts separated by '.', found {}",
                parts.len()
            )
        };
        return Err(malformed(why));
    };
    let header = decode_json_object(header, "header")?;
    let payload = decode_json_object(payload, "payload")?;
    if signature.is_empty() {
        return Err(malformed("the signature part is empty"));
    }
    let signature = B64URL
        .decode(signature)
        .map_err(|_| malformed("the signature part is not base64url without padding"))?;

    let alg = match header.get("alg") {
        Some(Value::String(alg)) if !alg.is_empty() => alg.clone(),
        Some(_) => return Err(malformed("the header's \"alg\" is not a non-empty string")),
        None => return Err(malformed("the header has no \"alg\"")),
    };
    if alg.eq_ignore_ascii_case("none") {
        return Err(malformed(
            "unsigned tokens (\"alg\": \"none\") are not accepted",
        ));
    }
    let kid = optional_string(&header, "kid", "header")?;

    let claims = Claims {
        alg,
        kid,
        iss: required_string(&payload, "iss")?,
        sub: required_string(&payload, "sub")?,
        aud: audience(&payload)?,
        exp: optional_numeric_date(&payload, "exp")?
            .ok_or_else(|| malformed("the payload has no \"exp\" claim"))?,
        iat: optional_numeric_date(&payload, "iat")?,
        nbf: optional_numeric_date(&payload, "nbf")?,
        azp: optional_string(&payload, "azp", "payload")?,
        payload,
    };
    Ok(ParsedToken {
        claims,
        signing_input_len: header_payload_len(token),
        raw: token.to_owned(),
        signature,
    })
}

/// Length of `header.payload` in a token already known to have 3 parts.
fn header_payload_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(token.len())
}

fn decode_json_object(part: &str, name: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes = B64URL
        .decode(part)
        .map_err(|_| malformed(format!("the {name} is not base64url without padding")))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(malformed(format!("the {name} is JSON but not an object"))),
        Err(_) => Err(malformed(format!("the {name} is not valid JSON"))),
    }
}

fn required_string(payload: &Map<String, Value>, claim: &str) -> Result<String, TokenError> {
    optional_string(payload, claim, "payload")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| malformed(format!("the payload has no non-empty \"{claim}\" claim")))
}

fn optional_string(
    map: &Map<String, Value>,
    key: &str,
    part: &str,
) -> Result<Option<String>, TokenError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(malformed(format!("the {part}'s \"{key}\" is not a string"))),
    }
}

fn audience(payload: &Map<String, Value>) -> Result<Vec<String>, TokenError> {
    let aud = match payload.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| malformed("the \"aud\" claim is an array with a non-string item"))?,
        Some(_) => {
            return Err(malformed(
                "the \"aud\" claim is neither a string nor an array of strings",
            ));
        }
        None => return Err(malformed("the payload has no \"aud\" claim")),
    };
    if aud.is_empty() || aud.iter().any(String::is_empty) {
        return Err(malformed("the \"aud\" claim is empty"));
    }
    Ok(aud)
}

/// A NumericDate claim: seconds since the epoch, possibly fractional.
fn optional_numeric_date(
    payload: &Map<String, Value>,
    claim: &str,
) -> Result<Option<i64>, TokenError> {
    match payload.get(claim) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(i))
            } else if let Some(f) = n.as_f64() {
                // Saturating float-to-int: absurd values stay ordered.
                Ok(Some(f.floor() as i64))
            } else {
                Err(malformed(format!("the \"{claim}\" claim is not a number")))
            }
        }
        Some(_) => Err(malformed(format!(
            "the \"{claim}\" claim is not a number of seconds since 1970"
        ))),
    }
}

/// What [`validate`] checks a token against.
#[derive(Debug, Clone, Copy)]
pub struct Validation<'a> {
    /// The current time, Unix seconds.
    pub now: i64,
    /// Allowed client ids; `None` accepts any audience (the emulator's
    /// default, when no OIDC provider is configured).
    pub audiences: Option<&'a [String]>,
    /// The emulator's signer: tokens whose `iss` is its issuer get their
    /// signature verified.
    pub own: Option<&'a Signer>,
}

/// Parses and checks a web identity token as `AssumeRoleWithWebIdentity`
/// does: form, then (for the emulator's own tokens) signature, then expiry
/// and not-before, then audience. See the module docs on signatures.
pub fn validate(token: &str, v: &Validation<'_>) -> Result<Claims, TokenError> {
    let parsed = parse(token)?;
    if let Some(signer) = v.own
        && parsed.claims.iss == signer.issuer()
    {
        signer.verify(&parsed)?;
    }
    let claims = parsed.claims;
    if v.now >= claims.exp {
        return Err(TokenError::Expired {
            now: v.now,
            exp: claims.exp,
        });
    }
    if let Some(nbf) = claims.nbf
        && v.now < nbf
    {
        return Err(TokenError::NotYetValid { now: v.now, nbf });
    }
    if let Some(allowed) = v.audiences {
        // Google ID tokens name the web client in `azp` and may carry a
        // different `aud`; either one matching is enough.
        let matches = claims
            .aud
            .iter()
            .chain(claims.azp.iter())
            .any(|a| allowed.iter().any(|ok| ok == a));
        if !matches {
            return Err(TokenError::IncorrectAudience);
        }
    }
    Ok(claims)
}

/// A signing algorithm `GetWebIdentityToken` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA P-384 with SHA-384.
    Es384,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
}

impl Algorithm {
    /// The JOSE name (`ES384`, `RS256`).
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Es384 => "ES384",
            Algorithm::Rs256 => "RS256",
        }
    }

    /// Reads a JOSE name, exactly as STS's `SigningAlgorithm` takes it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "ES384" => Some(Algorithm::Es384),
            "RS256" => Some(Algorithm::Rs256),
            _ => None,
        }
    }
}

/// A signer key could not be made or used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignerError {
    /// Key generation failed (only a broken OS random source does this).
    #[error(
        "could not generate the {alg} signing key: {reason}; check that the OS random source works"
    )]
    KeyGeneration {
        /// The algorithm whose key failed.
        alg: &'static str,
        /// What failed.
        reason: &'static str,
    },
    /// Signing failed (only a broken OS random source does this).
    #[error("could not sign with {0}; check that the OS random source works")]
    Signing(&'static str),
}

/// Why [`Signer::issue_web_identity_token`] failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IssueError {
    /// The claims (mostly the tags) are too large.
    #[error(
        "The requested token payload size ({size} bytes) exceeds the maximum allowed size ({max} bytes). Pass fewer or shorter tags"
    )]
    PayloadTooLarge {
        /// The payload's size in bytes.
        size: usize,
        /// The limit, [`MAX_WEB_IDENTITY_PAYLOAD_BYTES`].
        max: usize,
    },
    /// See [`SignerError`].
    #[error(transparent)]
    Signer(#[from] SignerError),
}

impl IssueError {
    /// The STS error code this failure is answered with.
    pub fn code(&self) -> &'static str {
        match self {
            IssueError::PayloadTooLarge { .. } => "JWTPayloadSizeExceededException",
            IssueError::Signer(_) => "InternalFailure",
        }
    }
}

/// What a `GetWebIdentityToken` call asks for, after input validation.
#[derive(Debug, Clone, Copy)]
pub struct WebIdentityTokenRequest<'a> {
    /// The caller's ARN (the `sub` claim).
    pub subject: &'a str,
    /// The caller's account.
    pub account: &'a str,
    /// The region the call was made in.
    pub region: &'a str,
    /// `Audience`: becomes `aud` (a string when there is one).
    pub audiences: &'a [String],
    /// The current time, Unix seconds (`iat`).
    pub now: i64,
    /// `DurationSeconds`; [`DEFAULT_WEB_IDENTITY_TOKEN_SECS`] when `None`.
    pub duration_seconds: Option<i64>,
    /// The caller's session tags, as `principal_tags`.
    pub principal_tags: &'a [(String, String)],
    /// `Tags` of the request, as `request_tags`.
    pub request_tags: &'a [(String, String)],
}

/// A token from [`Signer::issue_web_identity_token`].
#[derive(Clone)]
pub struct IssuedToken {
    /// The compact JWT.
    pub token: String,
    /// Its `exp`, Unix seconds.
    pub expiration: i64,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("token", &"<redacted>")
            .field("expiration", &self.expiration)
            .finish()
    }
}

struct RsaKey {
    pair: sig::RsaKeyPair,
    kid: String,
    jwk: Value,
}

/// Where the RS256 key is made once, by whichever thread gets there first,
/// and where async waiters learn that it is there.
struct RsaSlot {
    key: OnceLock<Result<RsaKey, SignerError>>,
    /// Woken once `key` is set.
    made: tokio::sync::Notify,
    /// A thread making the key has been started.
    started: AtomicBool,
    make: fn() -> Result<RsaKey, SignerError>,
}

impl RsaSlot {
    fn new(make: fn() -> Result<RsaKey, SignerError>) -> Self {
        RsaSlot {
            key: OnceLock::new(),
            made: tokio::sync::Notify::new(),
            started: AtomicBool::new(false),
            make,
        }
    }

    /// The key, made by this thread if no other is making it (else waiting
    /// for that one). Blocks: never call it on an async worker unless the
    /// key is there.
    fn get_or_make(&self) -> &Result<RsaKey, SignerError> {
        if let Some(key) = self.key.get() {
            return key;
        }
        let key = self.key.get_or_init(self.make);
        self.made.notify_waiters();
        key
    }
}

/// The emulator's token signer: an ES384 key made at construction and an
/// RS256 key made on a thread of its own. `Debug` shows the issuer and key
/// ids only.
pub struct Signer {
    issuer: String,
    rng: SystemRandom,
    ec: sig::EcdsaKeyPair,
    ec_kid: String,
    ec_jwk: Value,
    rsa: Arc<RsaSlot>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("issuer", &self.issuer)
            .field("es384_kid", &self.ec_kid)
            .field(
                "rs256_kid",
                &self
                    .rsa
                    .key
                    .get()
                    .and_then(|k| k.as_ref().ok())
                    .map(|k| &k.kid),
            )
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer whose tokens carry `iss: issuer` (the emulator's URL).
    pub fn new(issuer: impl Into<String>) -> Result<Self, SignerError> {
        Signer::with_rsa_maker(issuer, generate_rsa)
    }

    /// A signer whose RS256 key is made by `make`.
    fn with_rsa_maker(
        issuer: impl Into<String>,
        make: fn() -> Result<RsaKey, SignerError>,
    ) -> Result<Self, SignerError> {
        let rng = SystemRandom::new();
        let alg = &sig::ECDSA_P384_SHA384_FIXED_SIGNING;
        let gen_err = |reason| SignerError::KeyGeneration {
            alg: "ES384",
            reason,
        };
        let pkcs8 =
            sig::EcdsaKeyPair::generate_pkcs8(alg, &rng).map_err(|_| gen_err("generate"))?;
        let ec = sig::EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng)
            .map_err(|_| gen_err("load"))?;
        // An uncompressed P-384 point: 0x04 || x (48 bytes) || y (48 bytes).
        let point = ec.public_key().as_ref();
        let (x, y) = match point {
            [4, rest @ ..] if rest.len() == 96 => rest.split_at(48),
            _ => return Err(gen_err("unexpected public key encoding")),
        };
        let mut ec_jwk = Map::new();
        ec_jwk.insert("crv".into(), "P-384".into());
        ec_jwk.insert("kty".into(), "EC".into());
        ec_jwk.insert("x".into(), B64URL.encode(x).into());
        ec_jwk.insert("y".into(), B64URL.encode(y).into());
        let ec_kid = thumbprint(&ec_jwk);
        Ok(Signer {
            issuer: issuer.into(),
            rng,
            ec,
            ec_jwk: finish_jwk(ec_jwk, &ec_kid, Algorithm::Es384),
            ec_kid,
            rsa: Arc::new(RsaSlot::new(make)),
        })
    }

    /// The issuer URL tokens carry.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Starts making the RS256 key on a thread of its own, unless that is
    /// done or under way. Returns at once.
    pub fn start_rsa_key(&self) {
        if self.rsa.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let slot = Arc::clone(&self.rsa);
        let spawned = std::thread::Builder::new()
            .name("awssts-emulator-rsa-key".into())
            .spawn(move || {
                slot.get_or_make();
            });
        if spawned.is_err() {
            // No thread, no key: waiters get the error rather than waiting
            // for ever.
            let _ = self.rsa.key.set(Err(SignerError::KeyGeneration {
                alg: "RS256",
                reason: "cannot start a thread to generate it",
            }));
            self.rsa.made.notify_waiters();
        }
    }

    /// Waits until the RS256 key is made (starting it if need be) without
    /// blocking the async worker; from then on RS256 signing and
    /// [`jwks`](Self::jwks) never block.
    pub async fn rsa_key_ready(&self) -> Result<(), SignerError> {
        loop {
            if let Some(key) = self.rsa.key.get() {
                return key.as_ref().map(|_| ()).map_err(Clone::clone);
            }
            let made = self.rsa.made.notified();
            tokio::pin!(made);
            // Registered before the second look, so a key set in between
            // still wakes this waiter.
            made.as_mut().enable();
            if self.rsa.key.get().is_none() {
                self.start_rsa_key();
                made.await;
            }
        }
    }

    /// The RS256 key, made on the spot if it is not there yet (which
    /// blocks for tens of milliseconds).
    fn rsa(&self) -> Result<&RsaKey, SignerError> {
        self.rsa.get_or_make().as_ref().map_err(Clone::clone)
    }

    /// The key id of `alg`'s key (generating the RSA key if needed).
    pub fn kid(&self, alg: Algorithm) -> Result<&str, SignerError> {
        match alg {
            Algorithm::Es384 => Ok(&self.ec_kid),
            Algorithm::Rs256 => Ok(&self.rsa()?.kid),
        }
    }

    /// Signs `claims` as a compact JWT with `alg`, `kid` and `typ` in the header.
    pub fn sign(&self, alg: Algorithm, claims: &Map<String, Value>) -> Result<String, SignerError> {
        let payload = Value::Object(claims.clone()).to_string();
        self.sign_payload(alg, &payload)
    }

    fn sign_payload(&self, alg: Algorithm, payload: &str) -> Result<String, SignerError> {
        let header = json!({"alg": alg.name(), "kid": self.kid(alg)?, "typ": "JWT"}).to_string();
        let mut out = B64URL.encode(header);
        out.push('.');
        B64URL.encode_string(payload, &mut out);
        let signature = match alg {
            Algorithm::Es384 => self
                .ec
                .sign(&self.rng, out.as_bytes())
                .map_err(|_| SignerError::Signing("ES384"))?
                .as_ref()
                .to_vec(),
            Algorithm::Rs256 => {
                let key = &self.rsa()?.pair;
                let mut signature = vec![0; key.public().modulus_len()];
                key.sign(
                    &sig::RSA_PKCS1_SHA256,
                    &self.rng,
                    out.as_bytes(),
                    &mut signature,
                )
                .map_err(|_| SignerError::Signing("RS256"))?;
                signature
            }
        };
        out.push('.');
        B64URL.encode_string(signature, &mut out);
        Ok(out)
    }

    /// The JSON Web Key Set with both public keys (generating the RSA key
    /// if needed), as served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Result<String, SignerError> {
        let rsa = self.rsa()?;
        Ok(json!({"keys": [self.ec_jwk, rsa.jwk]}).to_string())
    }

    /// Verifies the signature of a token against this signer's keys.
    pub fn verify(&self, token: &ParsedToken) -> Result<(), TokenError> {
        let alg = Algorithm::from_name(&token.claims.alg).ok_or(TokenError::BadSignature(
            "the algorithm is neither ES384 nor RS256",
        ))?;
        let input = token.signing_input();
        let ok = match alg {
            Algorithm::Es384 => {
                self.kid_matches(token, &self.ec_kid)?;
                sig::UnparsedPublicKey::new(&sig::ECDSA_P384_SHA384_FIXED, self.ec.public_key())
                    .verify(input, &token.signature)
                    .is_ok()
            }
            Algorithm::Rs256 => {
                // No RSA key yet means no RS256 token was ever issued.
                let Some(Ok(key)) = self.rsa.key.get() else {
                    return Err(TokenError::BadSignature("no RS256 token was issued"));
                };
                self.kid_matches(token, &key.kid)?;
                sig::UnparsedPublicKey::new(
                    &sig::RSA_PKCS1_2048_8192_SHA256,
                    key.pair.public().as_ref(),
                )
                .verify(input, &token.signature)
                .is_ok()
            }
        };
        if ok {
            Ok(())
        } else {
            Err(TokenError::BadSignature("the signature is wrong"))
        }
    }

    fn kid_matches(&self, token: &ParsedToken, kid: &str) -> Result<(), TokenError> {
        match &token.claims.kid {
            Some(k) if k != kid => Err(TokenError::BadSignature("unknown key id")),
            _ => Ok(()),
        }
    }

    /// Builds and signs the token `GetWebIdentityToken` returns: `iss`,
    /// `sub`, `aud`, `iat`, `exp`, `jti`, and STS's namespaced claims
    /// (`aws_account`, `source_region`, `principal_tags`, `request_tags`).
    pub fn issue_web_identity_token(
        &self,
        alg: Algorithm,
        req: &WebIdentityTokenRequest<'_>,
    ) -> Result<IssuedToken, IssueError> {
        let expiration = req.now.saturating_add(
            req.duration_seconds
                .unwrap_or(DEFAULT_WEB_IDENTITY_TOKEN_SECS),
        );
        let aud = match req.audiences {
            [one] => Value::from(one.as_str()),
            many => Value::from(many.to_vec()),
        };
        let mut sts = Map::new();
        sts.insert("aws_account".into(), req.account.into());
        sts.insert("source_region".into(), req.region.into());
        if !req.principal_tags.is_empty() {
            sts.insert("principal_tags".into(), tags_object(req.principal_tags));
        }
        if !req.request_tags.is_empty() {
            sts.insert("request_tags".into(), tags_object(req.request_tags));
        }
        let mut claims = Map::new();
        claims.insert("iss".into(), self.issuer.as_str().into());
        claims.insert("sub".into(), req.subject.into());
        claims.insert("aud".into(), aud);
        claims.insert("iat".into(), req.now.into());
        claims.insert("exp".into(), expiration.into());
        claims.insert("jti".into(), self.jti()?.into());
        claims.insert(STS_CLAIMS_NAMESPACE.into(), Value::Object(sts));
        let payload = Value::Object(claims).to_string();
        if payload.len() > MAX_WEB_IDENTITY_PAYLOAD_BYTES {
            return Err(IssueError::PayloadTooLarge {
                size: payload.len(),
                max: MAX_WEB_IDENTITY_PAYLOAD_BYTES,
            });
        }
        Ok(IssuedToken {
            token: self.sign_payload(alg, &payload)?,
            expiration,
        })
    }

    /// A random UUID-formatted token id.
    fn jti(&self) -> Result<String, SignerError> {
        let mut b = [0u8; 16];
        self.rng
            .fill(&mut b)
            .map_err(|_| SignerError::Signing("jti"))?;
        // Version 4, variant 1, as a UUID would be.
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        Ok(format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        ))
    }
}

fn tags_object(tags: &[(String, String)]) -> Value {
    Value::Object(
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

/// RFC 7638 thumbprint: SHA-256 of the required members in lexicographic
/// order without whitespace (serde_json's default map is sorted).
fn thumbprint(required: &Map<String, Value>) -> String {
    let canonical = Value::Object(required.clone()).to_string();
    B64URL.encode(ring::digest::digest(
        &ring::digest::SHA256,
        canonical.as_bytes(),
    ))
}

fn finish_jwk(mut jwk: Map<String, Value>, kid: &str, alg: Algorithm) -> Value {
    jwk.insert("kid".into(), kid.into());
    jwk.insert("alg".into(), alg.name().into());
    jwk.insert("use".into(), "sig".into());
    Value::Object(jwk)
}

fn generate_rsa() -> Result<RsaKey, SignerError> {
    let gen_err = |reason| SignerError::KeyGeneration {
        alg: "RS256",
        reason,
    };
    let der = awssts_rsa_keygen::generate().map_err(|_| gen_err("generate"))?;
    let pair = sig::RsaKeyPair::from_der(&der).map_err(|_| gen_err("load"))?;
    let public = sig::RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
    let mut jwk = Map::new();
    jwk.insert("e".into(), B64URL.encode(&public.e).into());
    jwk.insert("kty".into(), "RSA".into());
    jwk.insert("n".into(), B64URL.encode(&public.n).into());
    let kid = thumbprint(&jwk);
    Ok(RsaKey {
        pair,
        jwk: finish_jwk(jwk, &kid, Algorithm::Rs256),
        kid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    const NOW: i64 = 1_750_000_000;
    const ISSUER: &str = "http://127.0.0.1:4566";

    static SIGNER: LazyLock<Signer> = LazyLock::new(|| Signer::new(ISSUER).unwrap());

    fn b64(v: &Value) -> String {
        B64URL.encode(v.to_string())
    }

    fn foreign(payload: Value) -> String {
        format!(
            "{}.{}.{}",
            b64(&json!({"alg": "RS256", "kid": "k1", "typ": "JWT"})),
            b64(&payload),
            B64URL.encode(b"not checked")
        )
    }

    fn good_payload() -> Value {
        json!({
            "iss": "https://token.actions.githubusercontent.com",
            "sub": "repo:octo/app:ref:refs/heads/main",
            "aud": "sts.amazonaws.com",
            "iat": NOW - 60,
            "nbf": NOW - 60,
            "exp": NOW + 300,
        })
    }

    fn any_audience() -> Validation<'static> {
        Validation {
            now: NOW,
            audiences: None,
            own: Some(&SIGNER),
        }
    }

    #[test]
    fn a_foreign_token_is_read_without_a_signature_check() {
        let claims = validate(&foreign(good_payload()), &any_audience()).unwrap();
        assert_eq!(claims.iss, "https://token.actions.githubusercontent.com");
        assert_eq!(claims.sub, "repo:octo/app:ref:refs/heads/main");
        assert_eq!(claims.aud, vec!["sts.amazonaws.com"]);
        assert_eq!(claims.exp, NOW + 300);
        assert_eq!(claims.iat, Some(NOW - 60));
        assert_eq!(claims.alg, "RS256");
        assert_eq!(claims.kid.as_deref(), Some("k1"));
    }

    #[test]
    fn expiry_is_checked_against_the_given_time() {
        let token = foreign(good_payload());
        let late = Validation {
            now: NOW + 300,
            ..any_audience()
        };
        let err = validate(&token, &late).unwrap_err();
        assert_eq!(err.code(), "ExpiredTokenException");
        assert_eq!(
            err.to_string(),
            format!(
                "Token expired: current date/time {} must be before the expiration date/time {}",
                NOW + 300,
                NOW + 300
            )
        );
        assert!(
            validate(
                &token,
                &Validation {
                    now: NOW + 299,
                    ..late
                }
            )
            .is_ok()
        );
    }

    #[test]
    fn fractional_times_are_accepted() {
        let mut p = good_payload();
        p["exp"] = json!((NOW + 10) as f64 + 0.75);
        let claims = validate(&foreign(p), &any_audience()).unwrap();
        assert_eq!(claims.exp, NOW + 10);
    }

    #[test]
    fn not_before_in_the_future_is_refused() {
        let mut p = good_payload();
        p["nbf"] = json!(NOW + 10);
        let err = validate(&foreign(p), &any_audience()).unwrap_err();
        assert_eq!(
            err,
            TokenError::NotYetValid {
                now: NOW,
                nbf: NOW + 10
            }
        );
        assert_eq!(err.code(), "InvalidIdentityToken");
    }

    #[test]
    fn audience_must_be_allowed() {
        let allowed = vec!["sts.amazonaws.com".to_owned()];
        let other = vec!["my-client".to_owned()];
        let token = foreign(good_payload());
        let v = |a| Validation {
            audiences: Some(a),
            ..any_audience()
        };
        assert!(validate(&token, &v(&allowed)).is_ok());
        let err = validate(&token, &v(&other)).unwrap_err();
        assert_eq!(err, TokenError::IncorrectAudience);
        assert_eq!(err.code(), "InvalidIdentityToken");
        assert_eq!(err.to_string(), "Incorrect token audience");

        // An array audience matches on any member; azp also counts.
        let mut p = good_payload();
        p["aud"] = json!(["a", "my-client"]);
        assert_eq!(
            validate(&foreign(p.clone()), &v(&other)).unwrap().aud,
            vec!["a", "my-client"]
        );
        p["aud"] = json!("a");
        p["azp"] = json!("my-client");
        assert!(validate(&foreign(p), &v(&other)).is_ok());
    }

    #[test]
    fn malformed_tokens_are_invalid_identity_tokens() {
        let h = b64(&json!({"alg": "RS256"}));
        let p = b64(&good_payload());
        let s = B64URL.encode(b"sig");
        let cases = [
            (String::new(), "found 1"),
            ("abc".to_owned(), "found 1"),
            (format!("{h}.{p}"), "found 2"),
            (format!("{h}.{p}.{s}.x.y"), "encrypted JWT"),
            (format!("{h}.{p}."), "signature part is empty"),
            (format!("{h}.{p}.@@"), "signature part is not base64url"),
            (format!("{h}=.{p}.{s}"), "header is not base64url"),
            (
                format!("{}.{p}.{s}", B64URL.encode("{")),
                "header is not valid JSON",
            ),
            (
                format!("{}.{p}.{s}", b64(&json!([1]))),
                "header is JSON but not an object",
            ),
            (format!("{}.{p}.{s}", b64(&json!({}))), "no \"alg\""),
            (
                format!("{}.{p}.{s}", b64(&json!({"alg": 5}))),
                "\"alg\" is not",
            ),
            (
                format!("{}.{p}.{s}", b64(&json!({"alg": "none"}))),
                "unsigned",
            ),
            (
                format!("{h}.{}.{s}", B64URL.encode("x")),
                "payload is not valid JSON",
            ),
            ("a".repeat(MAX_TOKEN_LEN + 1), "characters long"),
        ];
        for (token, why) in cases {
            let err = parse(&token).unwrap_err();
            assert_eq!(err.code(), "InvalidIdentityToken");
            assert!(
                err.to_string().contains(why),
                "{err} does not contain {why:?}"
            );
        }
    }

    #[test]
    fn missing_or_mistyped_claims_are_named() {
        for (claim, value, why) in [
            ("iss", Value::Null, "\"iss\""),
            ("sub", json!(""), "\"sub\""),
            ("sub", json!(7), "\"sub\" is not a string"),
            ("aud", Value::Null, "no \"aud\""),
            ("aud", json!([]), "\"aud\" claim is empty"),
            ("aud", json!(["a", 1]), "non-string item"),
            ("aud", json!({}), "neither a string"),
            ("exp", Value::Null, "no \"exp\""),
            ("exp", json!("tomorrow"), "\"exp\" claim is not a number"),
            ("iat", json!(true), "\"iat\" claim is not a number"),
            ("azp", json!(1), "\"azp\" is not a string"),
        ] {
            let mut p = good_payload();
            match value {
                Value::Null => {
                    p.as_object_mut().unwrap().remove(claim);
                }
                v => p[claim] = v,
            }
            let err = parse(&foreign(p)).unwrap_err();
            assert!(err.to_string().contains(why), "{claim}: {err}");
        }
    }

    #[test]
    fn errors_and_debug_never_show_the_token() {
        let mut p = good_payload();
        p["sub"] = json!("secret-subject-marker");
        let token = foreign(p);
        let parsed = parse(&token).unwrap();
        assert!(!format!("{parsed:?}").contains(&token));
        let err = validate(
            &token,
            &Validation {
                now: NOW + 1000,
                ..any_audience()
            },
        )
        .unwrap_err();
        assert!(!err.to_string().contains(&token));
    }

    fn request<'a>(aud: &'a [String], tags: &'a [(String, String)]) -> WebIdentityTokenRequest<'a> {
        WebIdentityTokenRequest {
            subject: "arn:aws:iam::123456789012:role/app",
            account: "123456789012",
            region: "us-east-1",
            audiences: aud,
            now: NOW,
            duration_seconds: None,
            principal_tags: &[],
            request_tags: tags,
        }
    }

    fn payload_of(token: &str) -> Value {
        let part = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&B64URL.decode(part).unwrap()).unwrap()
    }

    fn header_of(token: &str) -> Value {
        let part = token.split('.').next().unwrap();
        serde_json::from_slice(&B64URL.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn issued_tokens_carry_the_claims_sts_puts_in_them() {
        let aud = vec!["https://api.example.com".to_owned()];
        let tags = vec![("team".to_owned(), "data".to_owned())];
        let issued = SIGNER
            .issue_web_identity_token(Algorithm::Es384, &request(&aud, &tags))
            .unwrap();
        assert_eq!(issued.expiration, NOW + DEFAULT_WEB_IDENTITY_TOKEN_SECS);
        let p = payload_of(&issued.token);
        assert_eq!(p["iss"], ISSUER);
        assert_eq!(p["sub"], "arn:aws:iam::123456789012:role/app");
        assert_eq!(p["aud"], "https://api.example.com");
        assert_eq!(p["iat"], NOW);
        assert_eq!(p["exp"], NOW + 300);
        assert_eq!(p["jti"].as_str().unwrap().len(), 36);
        assert_eq!(p[STS_CLAIMS_NAMESPACE]["aws_account"], "123456789012");
        assert_eq!(p[STS_CLAIMS_NAMESPACE]["request_tags"]["team"], "data");
        let h = header_of(&issued.token);
        assert_eq!(h["alg"], "ES384");
        assert_eq!(h["kid"], SIGNER.kid(Algorithm::Es384).unwrap());

        // Two audiences become an array; a duration moves exp.
        let two = vec!["a".to_owned(), "b".to_owned()];
        let req = WebIdentityTokenRequest {
            duration_seconds: Some(3600),
            ..request(&two, &[])
        };
        let issued = SIGNER
            .issue_web_identity_token(Algorithm::Rs256, &req)
            .unwrap();
        let p = payload_of(&issued.token);
        assert_eq!(p["aud"], json!(["a", "b"]));
        assert_eq!(p["exp"], NOW + 3600);
        assert!(p[STS_CLAIMS_NAMESPACE].get("request_tags").is_none());
    }

    #[test]
    fn own_tokens_verify_and_validate() {
        let aud = vec!["x".to_owned()];
        for alg in [Algorithm::Es384, Algorithm::Rs256] {
            let token = SIGNER
                .issue_web_identity_token(alg, &request(&aud, &[]))
                .unwrap()
                .token;
            let claims = validate(
                &token,
                &Validation {
                    audiences: Some(&aud),
                    ..any_audience()
                },
            )
            .unwrap();
            assert_eq!(claims.alg, alg.name());
        }
    }

    #[test]
    fn tampered_own_tokens_are_refused() {
        let aud = vec!["x".to_owned()];
        for alg in [Algorithm::Es384, Algorithm::Rs256] {
            let token = SIGNER
                .issue_web_identity_token(alg, &request(&aud, &[]))
                .unwrap()
                .token;
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            let mut p = payload_of(&token);
            p["sub"] = json!("arn:aws:iam::123456789012:role/admin");
            parts[1] = b64(&p);
            let forged = parts.join(".");
            let err = validate(&forged, &any_audience()).unwrap_err();
            assert!(matches!(err, TokenError::BadSignature(_)), "{err}");
            assert_eq!(err.code(), "InvalidIdentityToken");

            // Another signer's valid token for the same issuer is refused.
            let other = Signer::new(ISSUER).unwrap();
            let token = other
                .issue_web_identity_token(alg, &request(&aud, &[]))
                .unwrap()
                .token;
            assert!(matches!(
                validate(&token, &any_audience()),
                Err(TokenError::BadSignature(_))
            ));
        }
    }

    #[test]
    fn payload_size_limit() {
        let aud = vec!["x".to_owned()];
        let tags: Vec<(String, String)> = (0..50)
            .map(|i| (format!("{i:0>128}"), "v".repeat(256)))
            .collect();
        let err = SIGNER
            .issue_web_identity_token(Algorithm::Es384, &request(&aud, &tags))
            .unwrap_err();
        assert!(matches!(err, IssueError::PayloadTooLarge { .. }));
        assert_eq!(err.code(), "JWTPayloadSizeExceededException");
        let few = &tags[..5];
        assert!(
            SIGNER
                .issue_web_identity_token(Algorithm::Es384, &request(&aud, few))
                .is_ok()
        );
    }

    /// Verifies `token` using only the JWKS document, as a relying party would.
    fn verify_with_jwks(jwks: &str, token: &str) -> bool {
        let jwks: Value = serde_json::from_str(jwks).unwrap();
        let header = header_of(token);
        let key = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == header["kid"])
            .unwrap();
        assert_eq!(key["use"], "sig");
        assert_eq!(key["alg"], header["alg"]);
        let d = |field: &str| B64URL.decode(key[field].as_str().unwrap()).unwrap();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature = B64URL.decode(signature).unwrap();
        match key["kty"].as_str().unwrap() {
            "EC" => {
                assert_eq!(key["crv"], "P-384");
                let mut point = vec![4u8];
                point.extend(d("x"));
                point.extend(d("y"));
                sig::UnparsedPublicKey::new(&sig::ECDSA_P384_SHA384_FIXED, point)
                    .verify(input.as_bytes(), &signature)
                    .is_ok()
            }
            "RSA" => sig::RsaPublicKeyComponents {
                n: d("n"),
                e: d("e"),
            }
            .verify(
                &sig::RSA_PKCS1_2048_8192_SHA256,
                input.as_bytes(),
                &signature,
            )
            .is_ok(),
            other => panic!("unexpected kty {other}"),
        }
    }

    #[test]
    fn jwks_keys_verify_issued_tokens() {
        let jwks = SIGNER.jwks().unwrap();
        let doc: Value = serde_json::from_str(&jwks).unwrap();
        assert_eq!(doc["keys"].as_array().unwrap().len(), 2);
        let aud = vec!["x".to_owned()];
        for alg in [Algorithm::Es384, Algorithm::Rs256] {
            let token = SIGNER
                .issue_web_identity_token(alg, &request(&aud, &[]))
                .unwrap()
                .token;
            assert!(verify_with_jwks(&jwks, &token), "{alg:?}");
            // A flipped signature bit fails the same check.
            let (input, s) = token.rsplit_once('.').unwrap();
            let mut s = B64URL.decode(s).unwrap();
            s[0] ^= 1;
            let bad = format!("{input}.{}", B64URL.encode(s));
            assert!(!verify_with_jwks(&jwks, &bad), "{alg:?}");
        }
    }

    /// Closed until the test below opens it.
    static RSA_GATE: (std::sync::Mutex<bool>, std::sync::Condvar) =
        (std::sync::Mutex::new(false), std::sync::Condvar::new());
    /// The test's async worker thread.
    static WORKER: OnceLock<std::thread::ThreadId> = OnceLock::new();

    /// Makes the RS256 key once the gate is open; refuses to run on the
    /// async worker, where waiting for the gate would stall everything.
    fn gated_rsa() -> Result<RsaKey, SignerError> {
        if WORKER.get() == Some(&std::thread::current().id()) {
            return Err(SignerError::KeyGeneration {
                alg: "RS256",
                reason: "made on the async worker",
            });
        }
        let (open, opened) = &RSA_GATE;
        let mut is_open = open.lock().unwrap();
        while !*is_open {
            is_open = opened.wait(is_open).unwrap();
        }
        drop(is_open);
        generate_rsa()
    }

    #[test]
    fn waiting_for_the_rsa_key_leaves_the_async_worker_free() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        WORKER.set(std::thread::current().id()).unwrap();
        let signer = Arc::new(Signer::with_rsa_maker(ISSUER, gated_rsa).unwrap());
        runtime.block_on(async {
            let waiter = tokio::spawn({
                let signer = Arc::clone(&signer);
                async move { signer.rsa_key_ready().await }
            });
            // The one worker runs the waiter and comes back here: the
            // waiter neither made the key itself nor blocked on it.
            while !signer.rsa.started.load(Ordering::Acquire) {
                tokio::task::yield_now().await;
            }
            tokio::task::yield_now().await;
            assert!(!waiter.is_finished());
            assert!(signer.rsa.key.get().is_none());
            let (open, opened) = &RSA_GATE;
            *open.lock().unwrap() = true;
            opened.notify_all();
            waiter.await.unwrap().unwrap();
        });
        let jwks: Value = serde_json::from_str(&signer.jwks().unwrap()).unwrap();
        assert_eq!(
            jwks["keys"][1]["kid"].as_str(),
            Some(signer.kid(Algorithm::Rs256).unwrap())
        );
    }

    #[test]
    fn kids_are_rfc7638_thumbprints() {
        let doc: Value = serde_json::from_str(&SIGNER.jwks().unwrap()).unwrap();
        for key in doc["keys"].as_array().unwrap() {
            let required: &[&str] = match key["kty"].as_str().unwrap() {
                "EC" => &["crv", "kty", "x", "y"],
                _ => &["e", "kty", "n"],
            };
            let members: Vec<String> = required
                .iter()
                .map(|m| format!("\"{m}\":{}", key[*m]))
                .collect();
            let canonical = format!("{{{}}}", members.join(","));
            let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
            assert_eq!(key["kid"], B64URL.encode(digest));
        }
        // RSA public exponent is 65537.
        let rsa = doc["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kty"] == "RSA")
            .unwrap();
        assert_eq!(rsa["e"], "AQAB");
        assert_eq!(
            B64URL.decode(rsa["n"].as_str().unwrap()).unwrap().len(),
            256
        );
    }

    #[test]
    fn debug_shows_no_key_material_or_token() {
        let s = format!("{:?}", *SIGNER);
        assert!(s.contains(ISSUER));
        let aud = vec!["x".to_owned()];
        let issued = SIGNER
            .issue_web_identity_token(Algorithm::Es384, &request(&aud, &[]))
            .unwrap();
        assert!(!format!("{issued:?}").contains(&issued.token));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".{0,300}") {
            let _ = parse(&s);
        }

        #[test]
        fn parse_never_panics_on_three_parts(a in "[A-Za-z0-9_-]{0,80}", b in "[A-Za-z0-9_-]{0,80}", c in "[A-Za-z0-9_.=-]{0,40}") {
            let _ = parse(&format!("{a}.{b}.{c}"));
        }

        #[test]
        fn validate_never_panics_on_json(header in any::<Vec<(String, u8)>>(), claims in proptest::collection::vec(("iss|sub|aud|exp|nbf|iat|azp|alg|kid", prop_oneof![
                Just(Value::Null), any::<i64>().prop_map(Value::from), any::<f64>().prop_map(Value::from),
                ".{0,10}".prop_map(Value::from), any::<bool>().prop_map(Value::from),
                proptest::collection::vec(".{0,5}", 0..3).prop_map(Value::from),
            ]), 0..10), now in any::<i64>()) {
            let header: Map<String, Value> = header.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
            let mut h = Value::Object(header);
            h["alg"] = json!("ES384");
            let claims: Map<String, Value> = claims.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            for iss in [ISSUER, "https://elsewhere"] {
                let mut c = claims.clone();
                c.insert("iss".into(), iss.into());
                let token = format!("{}.{}.{}", b64(&h), b64(&Value::Object(c)), B64URL.encode([1u8; 96]));
                let aud = vec!["x".to_owned()];
                let _ = validate(&token, &Validation { now, audiences: Some(&aud), own: Some(&SIGNER) });
            }
        }
    }
}
