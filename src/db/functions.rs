//! SQL functions the read statements call, so that SQLite builds a page's JSON and CSV rows in
//! the statement that picks them, while every number, CSV cell and snippet is still written by
//! this program's own rules: SQLite prints floats to 15 significant digits (`0.1 + 0.2` would
//! come out as `0.3`), and its `instr` walks a long article a byte at a time.
//!
//! Each connection gets them when it opens (see [`super::connect`]). They are pure functions of
//! their arguments and are never used in the schema, so any other SQLite can still read the
//! file.

use std::ffi::{CStr, c_int};
use std::panic::{AssertUnwindSafe, catch_unwind};

use libsqlite3_sys as ffi;
use sqlx::SqliteConnection;

/// Characters of the article kept before the term in a search hit's text, and in all.
const AROUND_BEFORE: usize = 60;
const AROUND_LENGTH: usize = 240;

/// Characters a snippet shows either side of the first match.
pub const SNIPPET_CONTEXT: usize = 30;

type Callback =
    unsafe extern "C" fn(*mut ffi::sqlite3_context, c_int, *mut *mut ffi::sqlite3_value);

/// Name, number of arguments (-1: any) and implementation of each function.
const FUNCTIONS: [(&CStr, c_int, Callback); 7] = [
    (c"fact_number", 1, number),
    (c"fact_object", -1, object),
    (c"fact_csv", -1, csv_row),
    (c"fact_around", 2, around),
    (c"fact_snippet", 2, snippet),
    (c"fact_period_start", 1, period_start),
    (c"fact_period_end", 1, period_end),
];

/// Registers the functions on one connection.
pub async fn register(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    for (name, args, callback) in FUNCTIONS {
        // SAFETY: `db` is this connection's open handle, held locked for the call; the name is
        // a NUL-terminated static string; no user data or destructor is passed.
        let rc = unsafe {
            ffi::sqlite3_create_function_v2(
                db,
                name.as_ptr(),
                args,
                ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC | ffi::SQLITE_INNOCUOUS,
                std::ptr::null_mut(),
                Some(callback),
                None,
                None,
                None,
            )
        };
        if rc != ffi::SQLITE_OK {
            return Err(sqlx::Error::Protocol(format!(
                "cannot register the SQL function {name:?} (code {rc})"
            )));
        }
    }
    Ok(())
}

/// One argument as SQLite holds it. Text is read as bytes: it is written by this program as
/// UTF-8, but nothing here may trust that of a file another program could have written.
enum Arg<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a [u8]),
}

/// # Safety
/// `value` must be an argument of the function call under way; the slice lives as long as it.
unsafe fn arg<'a>(value: *mut ffi::sqlite3_value) -> Arg<'a> {
    // SAFETY: the caller passes a live argument; text pointers stay valid until the call ends,
    // and `sqlite3_value_bytes` is read after `sqlite3_value_text` as SQLite requires.
    unsafe {
        match ffi::sqlite3_value_type(value) {
            ffi::SQLITE_NULL => Arg::Null,
            ffi::SQLITE_INTEGER => Arg::Integer(ffi::sqlite3_value_int64(value)),
            ffi::SQLITE_FLOAT => Arg::Real(ffi::sqlite3_value_double(value)),
            _ => {
                let text = ffi::sqlite3_value_text(value);
                let len = ffi::sqlite3_value_bytes(value);
                if text.is_null() || len <= 0 {
                    Arg::Text(&[])
                } else {
                    Arg::Text(std::slice::from_raw_parts(text, len as usize))
                }
            }
        }
    }
}

/// # Safety
/// `args` must point at `n` live arguments of the call under way.
unsafe fn args<'a>(n: c_int, args: *mut *mut ffi::sqlite3_value) -> Vec<Arg<'a>> {
    // SAFETY: SQLite passes `n` valid argument pointers.
    (0..n.max(0) as usize)
        .map(|i| unsafe { arg(*args.add(i)) })
        .collect()
}

/// What a function answers.
enum Out {
    Null,
    Text(Vec<u8>),
}

/// Runs `f` over the call's arguments and hands its answer to SQLite; a panic becomes an SQL
/// error rather than unwinding into C.
///
/// # Safety
/// The arguments must be those SQLite passed to the callback.
unsafe fn answer(
    ctx: *mut ffi::sqlite3_context,
    n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
    f: impl FnOnce(&[Arg<'_>]) -> Out,
) {
    // SAFETY: forwarded from SQLite's callback.
    let values = unsafe { args(n, argv) };
    let out = catch_unwind(AssertUnwindSafe(|| f(&values)));
    // SAFETY: forwarded from SQLite's callback.
    unsafe { respond(ctx, out) }
}

/// Hands a function's answer, or its panic as an SQL error, to SQLite.
///
/// # Safety
/// `ctx` must be the live context of the call under way.
unsafe fn respond(ctx: *mut ffi::sqlite3_context, out: std::thread::Result<Out>) {
    // SAFETY: `ctx` is the live context of this call; SQLITE_TRANSIENT makes SQLite copy the
    // text before the buffer is dropped.
    unsafe {
        match out {
            Ok(Out::Null) => ffi::sqlite3_result_null(ctx),
            Ok(Out::Text(bytes)) => ffi::sqlite3_result_text64(
                ctx,
                bytes.as_ptr().cast(),
                bytes.len() as u64,
                ffi::SQLITE_TRANSIENT(),
                ffi::SQLITE_UTF8 as u8,
            ),
            Err(_) => {
                let msg = c"a read function failed";
                ffi::sqlite3_result_error(ctx, msg.as_ptr(), -1);
            }
        }
    }
}

/// Writes a number as the JSON of a fact does: whole numbers without a fraction
/// (`331500000000`, not `331500000000.0`), others as their shortest exact decimal.
pub fn write_number(value: f64, out: &mut Vec<u8>) {
    let mut ser = serde_json::Serializer::new(out);
    let written = match crate::quantity::whole(value) {
        Some(n) => serde::Serializer::serialize_i64(&mut ser, n),
        None => serde::Serializer::serialize_f64(&mut ser, value),
    };
    written.expect("writing to a Vec does not fail");
}

/// `fact_number(x)`: the number as JSON text, for `json()` to embed in an object; NULL stays NULL.
unsafe extern "C" fn number(
    ctx: *mut ffi::sqlite3_context,
    n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: called by SQLite with its own arguments.
    unsafe {
        answer(ctx, n, argv, |a| match a.first() {
            Some(Arg::Real(v)) => {
                let mut out = Vec::with_capacity(24);
                write_number(*v, &mut out);
                Out::Text(out)
            }
            Some(Arg::Integer(v)) => Out::Text(v.to_string().into_bytes()),
            _ => Out::Null,
        })
    }
}

/// Writes one SQL value as JSON: numbers as a fact's are written (see [`write_number`]), text
/// as a string (bytes that are not UTF-8 replaced, as nothing here trusts another program's
/// file), NULL as `null`.
fn write_json(value: &Arg<'_>, out: &mut Vec<u8>) {
    match value {
        Arg::Null => out.extend_from_slice(b"null"),
        Arg::Integer(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Arg::Real(v) => write_number(*v, out),
        // Ids, kinds and dates need no escape: copied as they are, between quotes.
        // (Checked without stopping early, so the check runs over many bytes at once.)
        Arg::Text(bytes)
            if bytes.iter().fold(true, |plain, &b| {
                plain & (0x20..0x80).contains(&b) & (b != b'"') & (b != b'\\')
            }) =>
        {
            out.push(b'"');
            out.extend_from_slice(bytes);
            out.push(b'"');
        }
        Arg::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            serde_json::to_writer(&mut *out, text.as_ref())
                .expect("writing to a Vec does not fail");
        }
    }
}

/// `fact_object(key, value, …)`: the pairs as one JSON object's text, keys in the order given.
/// A series page writes one per point, thousands at a time: SQLite's `json_object` would build
/// each as JSON to be parsed again, and text joined by `||` is copied once per piece.
unsafe extern "C" fn object(
    ctx: *mut ffi::sqlite3_context,
    n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // The arguments are read one at a time rather than gathered first (see `answer`): this
    // runs once per point.
    let n = n.max(0) as usize;
    let written = catch_unwind(|| {
        assert!(n % 2 == 0, "fact_object takes keys and values in pairs");
        let mut out = Vec::with_capacity(24 * n);
        for i in 0..n {
            out.push(match i {
                0 => b'{',
                _ if i % 2 == 1 => b':',
                _ => b',',
            });
            // SAFETY: SQLite passes `n` live arguments for the length of the call.
            write_json(&unsafe { arg(*argv.add(i)) }, &mut out);
        }
        out.push(b'}');
        out
    });
    // SAFETY: `ctx` is the live context of this call.
    unsafe { respond(ctx, written.map(Out::Text)) }
}

/// The first or last day a period covers, as `YYYY-MM-DD`; NULL for none or one that does not
/// parse. The same rule as the bundle's own (`bundle::dates::period_bounds`), so a series is
/// put in time order, with its bounds, inside the statement that reads it.
fn period_bound(a: &[Arg<'_>], last: bool) -> Out {
    let Some(Arg::Text(text)) = a.first() else {
        return Out::Null;
    };
    use crate::bundle::dates::{iso, period_days};
    match std::str::from_utf8(text).ok().and_then(period_days) {
        Some((first, end)) => Out::Text(iso(if last { end } else { first }).to_vec()),
        None => Out::Null,
    }
}

/// `fact_period_start(period)`: see [`period_bound`].
unsafe extern "C" fn period_start(
    ctx: *mut ffi::sqlite3_context,
    n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: called by SQLite with its own arguments.
    unsafe { answer(ctx, n, argv, |a| period_bound(a, false)) }
}

/// `fact_period_end(period)`: see [`period_bound`].
unsafe extern "C" fn period_end(
    ctx: *mut ffi::sqlite3_context,
    n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: called by SQLite with its own arguments.
    unsafe { answer(ctx, n, argv, |a| period_bound(a, true)) }
}

/// One CSV cell: NULL is empty, numbers as in JSON, text as it is.
fn cell(value: &Arg<'_>, out: &mut Vec<u8>) {
    match value {
        Arg::Null => {}
        Arg::Integer(v) => out.extend_from_slice(v.to_string().as_bytes()),
        Arg::Real(v) => write_number(*v, out),
        Arg::Text(t) => out.extend_from_slice(t),
    }
}

/// A JSON array's items as one cell, joined with `; ` (nested arrays likewise, `null` empty).
fn list_cell(json: &[u8]) -> Vec<u8> {
    fn walk(value: &serde_json::Value) -> String {
        match value {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) => {
                items.iter().map(walk).collect::<Vec<_>>().join("; ")
            }
            other => other.to_string(),
        }
    }
    match serde_json::from_slice::<serde_json::Value>(json) {
        Ok(value) => walk(&value).into_bytes(),
        Err(_) => json.to_vec(),
    }
}

/// A CSV writer appending to `out`, quoting as every CSV page always has (the `csv` crate's
/// defaults). Its buffer is small: one is made per line, and the default 8 KiB would be
/// zeroed for each.
fn csv_writer(out: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new()
        .buffer_capacity(512)
        .from_writer(out)
}

/// Writes one CSV record, ending in a newline.
pub fn write_record<I, T>(cells: I, out: &mut Vec<u8>)
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    let mut writer = csv_writer(out);
    writer
        .write_record(cells)
        .expect("writing to a Vec does not fail");
    writer.flush().expect("writing to a Vec does not fail");
}

/// `fact_csv(shapes, v1, v2, …)`: one CSV line of the values; `shapes` has a letter per value,
/// `l` for a JSON array written as its items and anything else for a plain value.
unsafe extern "C" fn csv_row(
    ctx: *mut ffi::sqlite3_context,
    n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: called by SQLite with its own arguments.
    unsafe {
        answer(ctx, n, argv, |a| {
            let Some((Arg::Text(shapes), values)) = a.split_first() else {
                return Out::Null;
            };
            let size: usize = values
                .iter()
                .map(|v| match v {
                    Arg::Text(t) => t.len() + 3,
                    _ => 24,
                })
                .sum();
            let mut out = Vec::with_capacity(size + 2);
            let mut writer = csv_writer(&mut out);
            let mut cell_buf = Vec::with_capacity(32);
            for (i, v) in values.iter().enumerate() {
                let written = match (shapes.get(i), v) {
                    (Some(b'l'), Arg::Text(json)) => writer.write_field(list_cell(json)),
                    (_, Arg::Text(t)) => writer.write_field(t),
                    _ => {
                        cell_buf.clear();
                        cell(v, &mut cell_buf);
                        writer.write_field(&cell_buf)
                    }
                };
                written.expect("writing to a Vec does not fail");
            }
            writer
                .write_record(std::iter::empty::<&[u8]>())
                .and_then(|()| writer.flush().map_err(csv::Error::from))
                .expect("writing to a Vec does not fail");
            drop(writer);
            Out::Text(out)
        })
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// Byte offset `chars` characters after `from` (or the end), counting as SQLite does: a
/// character is a byte and the continuation bytes after it.
fn skip_chars(text: &[u8], mut from: usize, chars: usize) -> usize {
    for _ in 0..chars {
        if from >= text.len() {
            break;
        }
        from += 1;
        while from < text.len() && is_continuation(text[from]) {
            from += 1;
        }
    }
    from
}

/// What `substr(text, max(1, instr(text, term) - 60), 240)` gives, found by a fast search
/// instead of a character-by-character walk: the stretch of an article around the term as
/// typed, or its start when the term is not in it. Only the characters of the stretch are
/// counted, backwards from the match, not every character before it.
pub fn around_bytes<'a>(text: &'a [u8], term: &[u8]) -> &'a [u8] {
    let start = match memchr::memmem::find(text, term) {
        Some(at) => back_chars(text, at, AROUND_BEFORE),
        None => 0,
    };
    let end = skip_chars(text, start, AROUND_LENGTH);
    &text[start..end]
}

/// Byte offset `chars` characters before `from` (or the start).
fn back_chars(text: &[u8], mut from: usize, chars: usize) -> usize {
    for _ in 0..chars {
        if from == 0 {
            break;
        }
        from -= 1;
        while from > 0 && is_continuation(text[from]) {
            from -= 1;
        }
    }
    from
}

/// `fact_around(text, term)`: see [`around_bytes`].
unsafe extern "C" fn around(
    ctx: *mut ffi::sqlite3_context,
    n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: called by SQLite with its own arguments.
    unsafe {
        answer(ctx, n, argv, |a| match a {
            [Arg::Text(text), Arg::Text(term)] => Out::Text(around_bytes(text, term).to_vec()),
            [Arg::Null, _] => Out::Null,
            _ => Out::Null,
        })
    }
}

/// Up to `context` characters either side of the first case-insensitive match.
pub fn snippet_of(text: &str, term: &str, context: usize) -> String {
    // As `char::to_lowercase` would, with ASCII (most of what is searched for) done directly.
    fn lowered(text: &str) -> Vec<char> {
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
        out
    }
    let chars: Vec<char> = text.chars().collect();
    let lower = lowered(text);
    let needle = lowered(term);
    // Lowercasing can change lengths only outside ASCII letters; fall back to the start then.
    let at = if lower.len() == chars.len() && !needle.is_empty() {
        lower
            .windows(needle.len())
            .position(|w| w == needle.as_slice())
            .unwrap_or(0)
    } else {
        0
    };
    let start = at.saturating_sub(context);
    let end = (at + needle.len() + context).min(chars.len());
    let mut out: String = chars[start..end]
        .iter()
        .collect::<String>()
        .replace('\n', " ");
    if start > 0 {
        out.insert(0, '…');
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// `fact_snippet(text, term)`: see [`snippet_of`].
unsafe extern "C" fn snippet(
    ctx: *mut ffi::sqlite3_context,
    n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: called by SQLite with its own arguments.
    unsafe {
        answer(ctx, n, argv, |a| match a {
            [Arg::Text(text), Arg::Text(term)] => {
                let text = String::from_utf8_lossy(text);
                let term = String::from_utf8_lossy(term);
                Out::Text(snippet_of(&text, &term, SNIPPET_CONTEXT).into_bytes())
            }
            _ => Out::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value `fact_object` writes parses back as the same JSON value, text that needs an
    /// escape (quotes, backslashes, control characters, Chinese) as much as text that does not.
    #[test]
    fn object_values_are_json() {
        let texts = [
            "synth-000056-m416",
            "2022-03",
            "a\"b",
            "back\\slash",
            "tab\there",
            "金昌市",
            "",
        ];
        for text in texts {
            let mut out = Vec::new();
            write_json(&Arg::Text(text.as_bytes()), &mut out);
            let back: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(
                back,
                serde_json::json!(text),
                "{}",
                String::from_utf8_lossy(&out)
            );
        }
        let mut out = Vec::new();
        write_json(&Arg::Text(b"\xff"), &mut out);
        assert_eq!(out, "\"\u{fffd}\"".as_bytes());
        for (value, json) in [
            (Arg::Null, "null"),
            (Arg::Integer(-3), "-3"),
            (Arg::Real(331_500_000_000.0), "331500000000"),
            (Arg::Real(0.1 + 0.2), "0.30000000000000004"),
        ] {
            let mut out = Vec::new();
            write_json(&value, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), json);
        }
    }

    fn instr_substr(text: &str, term: &str) -> String {
        // The SQL the search used to run, in characters.
        let chars: Vec<char> = text.chars().collect();
        let p = match text.find(term) {
            Some(b) => text[..b].chars().count() as i64 + 1,
            None => 0,
        };
        let start = (p - 60).max(1) as usize - 1;
        chars.iter().skip(start).take(240).collect()
    }

    #[test]
    fn around_is_the_window_instr_and_substr_gave() {
        let long: String = "金昌市有色金属新材料".repeat(80) + "镍钴" + &"abc".repeat(200);
        for (text, term) in [
            (long.as_str(), "镍钴"),
            (long.as_str(), "不在"),
            (long.as_str(), "金昌"),
            ("short 金昌 text", "金昌"),
            ("", "x"),
            ("abc", ""),
        ] {
            let got = around_bytes(text.as_bytes(), term.as_bytes());
            assert_eq!(std::str::from_utf8(got).unwrap(), instr_substr(text, term));
        }
        // The term at every position of a text mixing one-, two- and three-byte characters.
        let alphabet = ['x', 'é', '金', '\n'];
        for at in 0..400 {
            let mut text: String = (0..400).map(|i| alphabet[i % 7 % 4]).collect();
            text.insert_str(
                text.char_indices().nth(at).map_or(text.len(), |(b, _)| b),
                "镍钴",
            );
            let got = around_bytes(text.as_bytes(), "镍钴".as_bytes());
            assert_eq!(
                std::str::from_utf8(got).unwrap(),
                instr_substr(&text, "镍钴")
            );
        }
    }

    #[test]
    fn numbers_are_written_as_fact_json_writes_them() {
        let cases = [
            (331500000000.0, "331500000000"),
            (0.1 + 0.2, "0.30000000000000004"),
            (12.5, "12.5"),
            (-3.0, "-3"),
            (1e-7, "1e-7"),
            (9.5e15, "9500000000000000.0"),
        ];
        for (value, expected) in cases {
            let mut out = Vec::new();
            write_number(value, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }

    #[test]
    fn lists_become_one_cell() {
        assert_eq!(list_cell(br#"["a","b,c"]"#), b"a; b,c");
        assert_eq!(list_cell(b"[]"), b"");
    }

    #[test]
    fn snippets_cut_around_the_match() {
        let text = "x".repeat(100) + "Nickel" + &"y".repeat(100);
        let s = snippet_of(&text, "nickel", 5);
        assert_eq!(s, "…xxxxxNickelyyyyy…");
        // Lowercasing that changes a length (İ becomes two characters) falls back to the start.
        assert_eq!(snippet_of("İstanbul nickel", "nickel", 3), "İstanbul …");
        assert_eq!(snippet_of("ÄÖ金昌\nMetals", "äö金昌", 2), "ÄÖ金昌 M…");
    }
}
