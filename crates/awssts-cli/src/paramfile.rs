//! `file://` and `fileb://` parameter values, read as the AWS CLI reads
//! them (its `paramfile` module): the path after the prefix has `~` and
//! then `$VAR`/`${VAR}` expanded; `file://` opens the file as text in the
//! locale's encoding with universal newlines, `fileb://` gives its bytes.
//! Nothing is stripped: a trailing newline in the file is part of the value.
//!
//! The locale's encoding is UTF-8 wherever this runs in practice (Python
//! 3.7+ uses UTF-8 under the C/POSIX locale too), so text is decoded as
//! UTF-8; a file in a legacy 8-bit locale encoding is refused as undecodable
//! rather than guessed at.

use std::io::Read;
use std::path::PathBuf;

/// Looks up an environment variable (`HOME`, and the variables a path
/// names). Unlike `Env::get`, an empty value is a value, as in Python.
pub type Vars<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The real process environment.
pub fn process_var(name: &str) -> Option<String> {
    std::env::var_os(name).and_then(|v| v.into_string().ok())
}

/// No STS parameter is anywhere near this long (the largest, a SAML
/// assertion, is at most 100,000 characters); a bigger file is a mistake
/// such as `file:///dev/zero`, not a value.
const MAX_FILE: u64 = 1024 * 1024;

/// What a parameter value loads to. Debug shows the variant and length
/// only: the contents may be a token or an assertion.
#[derive(PartialEq, Eq)]
pub enum Loaded {
    /// Not a file reference: the value as given.
    Plain,
    /// `file://`: the file's text.
    Text(String),
    /// `fileb://`: the file's bytes.
    Bytes(Vec<u8>),
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Loaded::Plain => f.write_str("Plain"),
            Loaded::Text(text) => write!(f, "Text({} bytes)", text.len()),
            Loaded::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
        }
    }
}

/// Loads `raw` if it starts with `file://` or `fileb://`. The error is the
/// AWS CLI's reason (without the `Error parsing parameter` part).
pub fn load(raw: &str, vars: Vars<'_>) -> Result<Loaded, String> {
    let (rest, binary) = if let Some(p) = raw.strip_prefix("file://") {
        (p, false)
    } else if let Some(p) = raw.strip_prefix("fileb://") {
        (p, true)
    } else {
        return Ok(Loaded::Plain);
    };
    let path = PathBuf::from(expand_vars(&expand_user(rest, vars), vars));
    let bytes = read_bounded(&path).map_err(|e| match e {
        ReadError::Io(e) => format!(
            "Unable to load paramfile {raw}: {}",
            os_error(&e, &path.to_string_lossy())
        ),
        ReadError::TooLarge => format!(
            "Unable to load paramfile {raw}: larger than {MAX_FILE} bytes, more than any \
             parameter takes"
        ),
    })?;
    if binary {
        return Ok(Loaded::Bytes(bytes));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        format!(
            "Unable to load paramfile ({}), text contents could not be decoded.  If this is a \
             binary file, please use the fileb:// prefix instead of the file:// prefix.",
            path.display()
        )
    })?;
    Ok(Loaded::Text(universal_newlines(&text)))
}

enum ReadError {
    Io(std::io::Error),
    TooLarge,
}

fn read_bounded(path: &std::path::Path) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// Python's text mode: `\r\n` and a lone `\r` both read as `\n`.
fn universal_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Python's `str(OSError)`: `[Errno 2] No such file or directory: '/p'`.
fn os_error(e: &std::io::Error, path: &str) -> String {
    let Some(code) = e.raw_os_error() else {
        return e.to_string();
    };
    // `Display` is strerror(3) followed by ` (os error N)`, and strerror is
    // what Python prints too.
    let shown = e.to_string();
    let reason = shown
        .strip_suffix(&format!(" (os error {code})"))
        .unwrap_or(&shown);
    format!("[Errno {code}] {reason}: {}", py_repr(path))
}

/// Python's `repr` of a string, for the quoting of a path in messages.
fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `os.path.expanduser`: a leading `~` is `$HOME` (or the user's home in
/// the password database when HOME is unset), `~name` is name's home; an
/// unknown name leaves the path as it is.
fn expand_user(path: &str, vars: Vars<'_>) -> String {
    let Some(after) = path.strip_prefix('~') else {
        return path.to_owned();
    };
    let end = after.find('/').unwrap_or(after.len());
    let (name, rest) = after.split_at(end);
    let home = if name.is_empty() {
        vars("HOME").or_else(|| {
            nix::unistd::User::from_uid(nix::unistd::getuid())
                .ok()
                .flatten()
                .map(|u| u.dir.to_string_lossy().into_owned())
        })
    } else {
        nix::unistd::User::from_name(name)
            .ok()
            .flatten()
            .map(|u| u.dir.to_string_lossy().into_owned())
    };
    let Some(home) = home else {
        return path.to_owned();
    };
    let joined = format!("{}{rest}", home.trim_end_matches('/'));
    if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    }
}

/// `os.path.expandvars`: `$NAME` (ASCII letters, digits, `_`) and
/// `${NAME}` are replaced by the variable's value; unset ones stay as they
/// are, and replaced text is not expanded again.
fn expand_vars(path: &str, vars: Vars<'_>) -> String {
    if !path.contains('$') {
        return path.to_owned();
    }
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while let Some(off) = path[i..].find('$') {
        let at = i + off;
        out.push_str(&path[i..at]);
        let after = at + 1;
        // (end of the reference, the variable's name)
        let reference = if bytes.get(after) == Some(&b'{') {
            path[after + 1..]
                .find('}')
                .map(|close| (after + 1 + close + 1, &path[after + 1..after + 1 + close]))
        } else {
            let len = bytes[after..].iter().take_while(|b| word(**b)).count();
            (len > 0).then(|| (after + len, &path[after..after + len]))
        };
        match reference {
            Some((end, name)) => {
                match vars(name) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&path[at..end]),
                }
                i = end;
            }
            None => {
                out.push('$');
                i = after;
            }
        }
    }
    out.push_str(&path[i..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn text_keeps_trailing_newlines_and_reads_crlf_as_lf() {
        let dir = tempfile::tempdir().unwrap();
        let vars = vars_of(&[("HOME", dir.path().to_str().unwrap())]);
        std::fs::write(dir.path().join("p"), "{\r\n \"a\": \"é\"\r}\n\n").unwrap();
        assert_eq!(
            load("file://~/p", &vars).unwrap(),
            Loaded::Text("{\n \"a\": \"é\"\n}\n\n".to_owned())
        );
        assert_eq!(
            load("fileb://~/p", &vars).unwrap(),
            Loaded::Bytes("{\r\n \"a\": \"é\"\r}\n\n".as_bytes().to_vec()),
            "fileb:// is the bytes as they are"
        );
        assert_eq!(load("~/p", &vars).unwrap(), Loaded::Plain);
        // A byte-order mark is text too (Python's utf-8 codec keeps it).
        std::fs::write(dir.path().join("bom"), "\u{feff}x").unwrap();
        assert_eq!(
            load("file://~/bom", &vars).unwrap(),
            Loaded::Text("\u{feff}x".to_owned())
        );
    }

    #[test]
    fn debug_shows_lengths_not_contents() {
        assert_eq!(format!("{:?}", Loaded::Plain), "Plain");
        let text = format!("{:?}", Loaded::Text("SECRET-TOKEN".to_owned()));
        assert_eq!(text, "Text(12 bytes)");
        let bytes = format!("{:?}", Loaded::Bytes(b"SECRET".to_vec()));
        assert_eq!(bytes, "Bytes(6 bytes)");
    }

    #[test]
    fn errors_read_as_the_aws_clis() {
        let dir = tempfile::tempdir().unwrap();
        let vars = vars_of(&[]);
        assert_eq!(
            load("file:///no/such/file", &vars).unwrap_err(),
            "Unable to load paramfile file:///no/such/file: [Errno 2] No such file or \
             directory: '/no/such/file'"
        );
        let d = dir.path().display().to_string();
        assert_eq!(
            load(&format!("file://{d}"), &vars).unwrap_err(),
            format!("Unable to load paramfile file://{d}: [Errno 21] Is a directory: '{d}'")
        );
        let bin = dir.path().join("bin");
        std::fs::write(&bin, [0xff, 0xfe, b'x']).unwrap();
        let b = bin.display().to_string();
        assert_eq!(
            load(&format!("file://{b}"), &vars).unwrap_err(),
            format!(
                "Unable to load paramfile ({b}), text contents could not be decoded.  If this \
                 is a binary file, please use the fileb:// prefix instead of the file:// prefix."
            )
        );
        assert_eq!(
            load(&format!("fileb://{b}"), &vars).unwrap(),
            Loaded::Bytes(vec![0xff, 0xfe, b'x'])
        );
        let err = load("file:///dev/zero", &vars).unwrap_err();
        assert!(err.contains("larger than 1048576 bytes"), "{err}");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a'\"b"), "'a\\'\"b'");
    }

    #[test]
    fn paths_expand_home_then_variables() {
        let vars = vars_of(&[("HOME", "/home/me/"), ("D", "/data"), ("E", "")]);
        assert_eq!(expand_user("~", &vars), "/home/me");
        assert_eq!(expand_user("~/p", &vars), "/home/me/p");
        assert_eq!(expand_user("a/~/p", &vars), "a/~/p");
        assert_eq!(
            expand_user("~no-such-user-here/p", &vars),
            "~no-such-user-here/p"
        );
        let me = nix::unistd::User::from_uid(nix::unistd::getuid())
            .unwrap()
            .unwrap();
        assert_eq!(
            expand_user(&format!("~{}/p", me.name), &vars),
            format!("{}/p", me.dir.display()).replace("//", "/")
        );
        let root = vars_of(&[("HOME", "/")]);
        assert_eq!(expand_user("~", &root), "/");

        assert_eq!(expand_vars("$D/p", &vars), "/data/p");
        assert_eq!(expand_vars("${D}x/$E.json", &vars), "/datax/.json");
        assert_eq!(expand_vars("$UNSET/${UNSET}/p", &vars), "$UNSET/${UNSET}/p");
        assert_eq!(expand_vars("a$/b${/c$", &vars), "a$/b${/c$");
        let nested = vars_of(&[("A", "$B"), ("B", "no")]);
        assert_eq!(
            expand_vars("$A", &nested),
            "$B",
            "values are not re-expanded"
        );
        assert_eq!(
            expand_vars("$Dé", &vars),
            "/dataé",
            "names are ASCII word characters"
        );
    }
}
