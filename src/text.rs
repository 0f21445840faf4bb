//! The text toolbox: how text from outside (the server, a file on disk) is made safe before a
//! person sees it, how wide it is on a terminal, and how numbers are shown. The TUI and the
//! headless commands both go through here, so both make the same promises:
//!
//! - nothing that reaches the terminal can drive it: control characters, whole escape
//!   sequences (ESC and the 8-bit C1 introducers with everything up to the sequence's end),
//!   bidirectional controls and zero-width characters are dropped ([`sanitize`]);
//! - `--json` lines carry the same characters as `\uXXXX` escapes, so the data stays whole
//!   and the line stays valid JSON ([`json_line`]);
//! - what is shown takes the same width to ratatui and to the terminal: the zero-width
//!   joiner, variation selectors and skin-tone modifiers are dropped for display (an emoji
//!   sequence becomes its separate emoji), and widths are counted per grapheme the way
//!   ratatui's buffer draws them ([`str_width`]);
//! - a number that cannot be right (NaN, infinite, negative, absurd) is shown as [`DASH`].

use std::borrow::Cow;
use std::iter::Peekable;
use std::str::Chars;

use ratatui::buffer::CellWidth;
use ratatui::style::Style;
use ratatui::text::Span;

/// What stands where a number is unknown or cannot be right.
pub const DASH: &str = "–";

/// Longest span of seconds shown as a number (a year): anything longer is a broken value.
const MAX_SPAN_SECS: f64 = 366.0 * 86_400.0;
/// Longest video duration shown (a day); Sora's are seconds long.
const MAX_DURATION_SECS: f64 = 86_400.0;
/// 2000-01-01 00:00 UTC: earlier timestamps are not from this service.
const MIN_DATE_UNIX: f64 = 946_684_800.0;
/// 10000-01-01 00:00 UTC: the first moment a four-digit year cannot show.
const MAX_DATE_UNIX: f64 = 253_402_300_800.0;

/// Whether a character must never reach the terminal: C0 and C1 controls and DEL, the
/// bidirectional controls that make text display differently from what it is, and the
/// zero-width characters that terminals and width tables disagree about (they shift what
/// follows them on the screen), tags included.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Bidirectional marks, embeddings, overrides and isolates.
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            // Zero width: space, non-joiner, joiner, word joiner, invisible operators, BOM,
            // Mongolian vowel separator, interlinear annotations, tags.
            | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}'
            | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}'
        )
}

/// Whether a character makes its grapheme's width depend on the terminal: variation selectors
/// (`❤️` is two cells to ratatui, one to most terminals) and skin-tone modifiers (`👍🏽` is
/// two cells to ratatui, four to a terminal that draws the modifier on its own). Dropped for
/// display, the emoji keeps one width everywhere, so a row cannot shift or leave a stray glyph.
fn is_width_ambiguous(c: char) -> bool {
    matches!(c, '\u{FE0E}' | '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}')
}

/// The characters of a text that may be drawn, in order: escape sequences are skipped whole,
/// other unsafe and width-ambiguous characters dropped, whitespace (newlines too) passed on
/// for the caller to place.
struct Visible<'a> {
    chars: Peekable<Chars<'a>>,
}

fn visible(text: &str) -> Visible<'_> {
    Visible {
        chars: text.chars().peekable(),
    }
}

impl Iterator for Visible<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        loop {
            match self.chars.next()? {
                '\u{1b}' => self.skip_escape(),
                // 8-bit CSI, and the 8-bit introducers of string sequences (DCS, SOS, OSC, PM, APC).
                '\u{9b}' => self.skip_csi(),
                '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => self.skip_string(),
                c if c.is_whitespace() => return Some(c),
                c if is_unsafe(c) || is_width_ambiguous(c) => {}
                c => return Some(c),
            }
        }
    }
}

impl Visible<'_> {
    /// After an ESC: the rest of the sequence it starts (ECMA-48 shapes).
    fn skip_escape(&mut self) {
        match self.chars.peek().copied() {
            Some('[') => {
                self.chars.next();
                self.skip_csi();
            }
            Some(']' | 'P' | 'X' | '^' | '_') => {
                self.chars.next();
                self.skip_string();
            }
            // Intermediate bytes, then one final byte (`ESC ( B`).
            Some('\u{20}'..='\u{2f}') => {
                while self
                    .chars
                    .next_if(|c| matches!(c, '\u{20}'..='\u{2f}'))
                    .is_some()
                {}
                self.chars.next_if(|c| matches!(c, '\u{30}'..='\u{7e}'));
            }
            // Two-character sequences (`ESC c`, `ESC 7`).
            Some('\u{30}'..='\u{7e}') => {
                self.chars.next();
            }
            _ => {}
        }
    }

    /// A control sequence after its introducer: parameter and intermediate bytes, then the
    /// final byte. Anything else ends it and is read as text.
    fn skip_csi(&mut self) {
        while self
            .chars
            .next_if(|c| matches!(c, '\u{20}'..='\u{3f}'))
            .is_some()
        {}
        self.chars.next_if(|c| matches!(c, '\u{40}'..='\u{7e}'));
    }

    /// A string sequence (OSC, DCS, APC, PM, SOS) after its introducer: everything up to BEL
    /// or the string terminator (`ESC \` or 0x9c). An ESC that starts anything else ends the
    /// string and its own sequence is skipped too; an unterminated string runs to the end.
    fn skip_string(&mut self) {
        while let Some(c) = self.chars.next() {
            match c {
                '\u{07}' | '\u{9c}' => return,
                '\u{1b}' => {
                    if self.chars.next_if_eq(&'\\').is_none() {
                        self.skip_escape();
                    }
                    return;
                }
                _ => {}
            }
        }
    }
}

/// Server or file text made safe to show on one line: escape sequences and unsafe characters
/// are dropped, whitespace (newlines, tabs, CR) becomes single spaces, and it is cut at `max`
/// characters, ending in `…` when something was cut.
pub fn sanitize(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max.saturating_mul(4)));
    let mut count = 0;
    let mut pending_space = false;
    // The first character that did not fit, when something was cut.
    let mut overflow = None;
    for c in visible(text) {
        if c.is_whitespace() {
            pending_space = count > 0;
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if count + needed > max {
            overflow = Some(if pending_space { ' ' } else { c });
            break;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        count += needed;
    }
    if let Some(mut next) = overflow
        && max > 0
    {
        // Room for the `…`, and no grapheme cut in two (half a flag is another width).
        while count >= max || joins(&out, next) {
            match out.pop() {
                Some(c) => next = c,
                None => break,
            }
            count -= 1;
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('…');
    }
    out
}

/// Whether `next` would belong to the last grapheme of `before` (so cutting between them
/// splits a grapheme). Only the end of `before` is looked at: enough for every rule but a
/// run of more than a few dozen regional indicators.
fn joins(before: &str, next: char) -> bool {
    if before.is_empty() {
        return false;
    }
    let start = before.char_indices().nth_back(31).map_or(0, |(i, _)| i);
    let mut tail = String::with_capacity(before.len() - start + 4);
    tail.push_str(&before[start..]);
    tail.push(next);
    let span = Span::raw(tail.as_str());
    span.styled_graphemes(Style::default())
        .last()
        .is_some_and(|g| g.symbol.len() > next.len_utf8())
}

/// Like [`sanitize`], but the newlines of a text meant to be read as lines stay: each line is
/// sanitised on its own and cut at `max_line` characters.
pub fn sanitize_lines(text: &str, max_line: usize) -> String {
    text.split('\n')
        .map(|line| sanitize(line, max_line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A JSON value as one line of text, with every unsafe character that serde_json leaves as it
/// is (C1 controls, DEL, bidirectional and zero-width characters) written as a `\uXXXX` escape:
/// the line still parses to the same value, and printing it cannot drive the terminal.
pub fn json_line(value: &serde_json::Value) -> String {
    escape_unsafe(&value.to_string()).into_owned()
}

/// Serialised JSON with its unsafe characters escaped (see [`json_line`]). They can only
/// stand inside strings, where an escape means the same character.
pub fn escape_unsafe(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_unsafe) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a string is printable ASCII only, where every byte is one cell.
fn plain_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Cells one grapheme takes, as ratatui's buffer counts them when it draws.
fn grapheme_width(g: &str) -> usize {
    usize::from(g.cell_width())
}

/// Display width of a string in terminal cells: the sum over its graphemes, as ratatui's
/// buffer draws them (control characters take none).
pub fn str_width(s: &str) -> usize {
    if plain_ascii(s) {
        return s.len();
    }
    let span = Span::raw(s);
    span.styled_graphemes(Style::default())
        .map(|g| grapheme_width(g.symbol))
        .sum()
}

/// Cuts `s` to at most `width` cells, whole graphemes only, ending in `…` when something was cut.
pub fn fit(s: &str, width: usize) -> Cow<'_, str> {
    // A grapheme never takes more cells than its UTF-8 bytes, so short strings fit as they are.
    if s.len() <= width || str_width(s) <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let span = Span::raw(s);
    let mut out = String::new();
    let mut used = 0;
    for g in span.styled_graphemes(Style::default()) {
        let w = grapheme_width(g.symbol);
        if used + w > width - 1 {
            break;
        }
        out.push_str(g.symbol);
        used += w;
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    Cow::Owned(out)
}

/// Cuts `s` to at most `width` cells keeping its end (`…/dir/file.png`), for paths.
pub fn fit_start(s: &str, width: usize) -> Cow<'_, str> {
    if s.len() <= width || str_width(s) <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let span = Span::raw(s);
    let graphemes: Vec<&str> = span
        .styled_graphemes(Style::default())
        .map(|g| g.symbol)
        .collect();
    let mut start = graphemes.len();
    let mut used = 0;
    while start > 0 {
        let w = grapheme_width(graphemes[start - 1]);
        if used + w > width - 1 {
            break;
        }
        used += w;
        start -= 1;
    }
    let mut out = String::from("…");
    out.extend(graphemes[start..].iter().copied());
    Cow::Owned(out)
}

/// Pads or cuts `s` to exactly `width` cells.
pub fn pad(s: &str, width: usize) -> String {
    let cut = fit(s, width);
    let w = str_width(&cut);
    let mut out = cut.into_owned();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// A progress fraction fit for a gauge: clamped to 0.0–1.0, and 0 when it is not a number.
pub fn fraction(progress: f64) -> f64 {
    if progress.is_finite() {
        progress.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// A progress fraction as a percentage, `45%`, clamped to 0–100%; [`DASH`] when it is not
/// a number.
pub fn percent(progress: f64) -> String {
    if progress.is_finite() {
        format!("{}%", (progress.clamp(0.0, 1.0) * 100.0).round() as u32)
    } else {
        DASH.to_string()
    }
}

/// Whole seconds when `secs` is a believable span of time (0 to a year), else `None`.
pub fn plausible_secs(secs: f64) -> Option<u64> {
    (secs.is_finite() && (0.0..=MAX_SPAN_SECS).contains(&secs)).then_some(secs as u64)
}

/// Elapsed seconds as `m:ss` (minutes keep counting past an hour: `75:02`). A little below
/// zero (a clock slightly ahead) is no time yet; not a number or over a year is [`DASH`].
pub fn elapsed(secs: f64) -> String {
    let secs = if secs < 0.0 { 0.0 } else { secs };
    match plausible_secs(secs) {
        Some(s) => format!("{}:{:02}", s / 60, s % 60),
        None => DASH.to_string(),
    }
}

/// Seconds as a short span for "resets in": `45 s`, `12 min`, `3 h 20 min`; [`DASH`] when
/// it is negative, not a number, or over a year.
pub fn span_of(secs: f64) -> String {
    match plausible_secs(secs) {
        Some(s @ 0..60) => format!("{s} s"),
        Some(s @ 60..3600) => format!("{} min", s.div_ceil(60)),
        Some(s) => format!("{} h {} min", s / 3600, s % 3600 / 60),
        None => DASH.to_string(),
    }
}

/// A video's length, `10 s`; [`DASH`] when it is negative, not a number, or over a day.
pub fn duration(secs: f64) -> String {
    if secs.is_finite() && (0.0..=MAX_DURATION_SECS).contains(&secs) {
        format!("{secs:.0} s")
    } else {
        DASH.to_string()
    }
}

/// A count sent as a number (videos remaining, pixels), whole and at most `max`; `None` when
/// it is negative, not a number, or over `max`, so the caller shows [`DASH`] or nothing.
pub fn count(n: f64, max: u64) -> Option<u64> {
    (n.is_finite() && n >= 0.0 && n <= max as f64).then_some(n as u64)
}

/// Bytes as `512 B`, `64 KB`, `3.4 MB`: the program's one unit system, powers of 1024 named
/// KB, MB, GB (the server's limits are 20 × 1024 × 1024 bytes and read "20 MB"). A whole
/// number when `n` is an exact multiple of the unit, one decimal otherwise; the unit is the
/// largest that shows at least `1.0`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];
    let mut unit = 0;
    let mut scale = 1u64;
    // 1023.95 and up would print as `1024.0` of this unit: that is `1.0` of the next.
    while unit < UNITS.len() - 1 && n as f64 / scale as f64 >= 1023.95 {
        scale *= 1024;
        unit += 1;
    }
    if n.is_multiple_of(scale) {
        format!("{} {}", n / scale, UNITS[unit])
    } else {
        format!("{:.1} {}", n as f64 / scale as f64, UNITS[unit])
    }
}

/// Unix seconds now, the clock every stamp and [`date`] use (0 when the clock is before 1970,
/// which only a broken clock is).
pub fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Unix seconds as `2026-11-24 19:58` (UTC); [`DASH`] for a moment before 2000 or past
/// year 9999, or not a number: no such date comes from this service.
pub fn date(secs: f64) -> String {
    if !(secs.is_finite() && (MIN_DATE_UNIX..MAX_DATE_UNIX).contains(&secs)) {
        return DASH.to_string();
    }
    let secs = secs as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// The time zone local times are shown in: read once at start ([`Zone::system`]: `TZ`, else
/// `/etc/localtime`) and passed along as data, so tests and snapshots choose theirs. The
/// default is UTC.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Zone(Option<jiff::tz::TimeZone>);

impl Zone {
    /// UTC, what the server's stamps are in.
    pub fn utc() -> Zone {
        Zone(None)
    }

    /// The system's zone: `TZ` when set (a name from the zoneinfo or a POSIX rule such as
    /// `CET-1CEST,M3.5.0,M10.5.0/3`), else `/etc/localtime`; UTC when neither can be read.
    pub fn system() -> Zone {
        Zone(Some(jiff::tz::TimeZone::system()))
    }

    /// A zone from a `TZ` value: a POSIX rule (`CET-1CEST,M3.5.0,M10.5.0/3`, `UTC0`) or a
    /// zoneinfo name (`Europe/Paris`, when the system has the zoneinfo). `None` when it is
    /// neither.
    pub fn from_tz(tz: &str) -> Option<Zone> {
        let tz = tz.strip_prefix(':').unwrap_or(tz);
        jiff::tz::TimeZone::posix(tz)
            .or_else(|_| jiff::tz::TimeZone::get(tz))
            .ok()
            .map(|z| Zone(Some(z)))
    }

    fn tz(&self) -> jiff::tz::TimeZone {
        self.0.clone().unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// Unix seconds as the moment in `zone`; `None` for a moment before 2000 or past year 9999,
/// or not a number: no such date comes from this service.
fn zoned(secs: f64, zone: &Zone) -> Option<jiff::Zoned> {
    if !(secs.is_finite() && (MIN_DATE_UNIX..MAX_DATE_UNIX).contains(&secs)) {
        return None;
    }
    let at = jiff::Timestamp::from_second(secs as i64).ok()?;
    Some(at.to_zoned(zone.tz()))
}

/// Unix seconds as a local time in `zone`: `2026-12-01 14:03`, followed by the zone when
/// `with_zone` (its abbreviation, `CET`, when the zone has a name for it, else the offset,
/// `+01:00`; `UTC` for UTC). [`DASH`] for a moment [`date`] would refuse.
pub fn local_date(secs: f64, zone: &Zone, with_zone: bool) -> String {
    let Some(zoned) = zoned(secs, zone) else {
        return DASH.to_string();
    };
    let shown = zoned.strftime("%Y-%m-%d %H:%M").to_string();
    if !with_zone {
        return shown;
    }
    let info = zoned.time_zone().to_offset_info(zoned.timestamp());
    let abbr = info.abbreviation();
    // An abbreviation made of letters names the zone; one like `+01` or `-0330` is an offset
    // in disguise, shown as the full offset instead.
    let label = if !abbr.is_empty() && abbr.chars().all(|c| c.is_ascii_alphabetic()) {
        abbr.to_string()
    } else {
        zoned.strftime("%:z").to_string()
    };
    format!("{shown} {label}")
}

/// Unix seconds in `zone` formatted by a `strftime` pattern (`%Y-%m-%d` is the local day,
/// `%H%M` the hour and minute in a file name); `None` for a moment [`date`] would refuse.
pub fn local_format(secs: f64, zone: &Zone, pattern: &str) -> Option<String> {
    zoned(secs, zone).map(|z| z.strftime(pattern).to_string())
}

/// Unix seconds as the local day in `zone`, `2026-12-01`; `None` for a moment [`date`] would
/// refuse.
pub fn local_day(secs: f64, zone: &Zone) -> Option<String> {
    local_format(secs, zone, "%Y-%m-%d")
}

/// How long ago, for the message log: `12 s ago`, `5 min ago`, `2 h 3 min ago`, `4 d ago`
/// (whole units, rounded down); `just now` for no time or a clock slightly behind.
pub fn ago(secs: f64) -> String {
    let s = if secs.is_finite() && secs > 0.0 {
        secs as u64
    } else {
        0
    };
    match s {
        0 => "just now".to_string(),
        1..60 => format!("{s} s ago"),
        60..3600 => format!("{} min ago", s / 60),
        3600..86400 => format!("{} h {} min ago", s / 3600, s % 3600 / 60),
        _ => format!("{} d ago", s / 86400),
    }
}

/// A place in a line as English says it: `1st`, `2nd`, `3rd`, `4th`, `11th`, `22nd`.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_read_as_english() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "111th"
            ]
        );
    }

    #[test]
    fn ago_counts_whole_units() {
        assert_eq!(ago(-3.0), "just now");
        assert_eq!(ago(12.7), "12 s ago");
        assert_eq!(ago(119.0), "1 min ago");
        assert_eq!(ago(3600.0 + 180.0), "1 h 3 min ago");
        assert_eq!(ago(3.0 * 86400.0), "3 d ago");
    }

    #[test]
    fn local_dates_are_in_the_given_zone_and_say_which() {
        // 2026-12-01 13:03:20 UTC.
        let t = 1_796_130_200.0;
        let cet = Zone::from_tz("CET-1CEST,M3.5.0,M10.5.0/3").expect("a POSIX rule");
        assert_eq!(local_date(t, &cet, true), "2026-12-01 14:03 CET");
        assert_eq!(local_date(t, &cet, false), "2026-12-01 14:03");
        // Summer time: the other abbreviation.
        assert_eq!(
            local_date(t - 160.0 * 86_400.0, &cet, true),
            "2026-06-24 15:03 CEST"
        );
        let india = Zone::from_tz("<+0530>-5:30").expect("a POSIX rule");
        assert_eq!(local_date(t, &india, true), "2026-12-01 18:33 +05:30");
        assert_eq!(local_date(t, &Zone::utc(), true), "2026-12-01 13:03 UTC");
        assert_eq!(local_date(t, &Zone::default(), false), date(t));
        assert_eq!(local_date(f64::NAN, &cet, true), DASH);
        assert_eq!(local_date(0.0, &cet, true), DASH);
        // The local day turns before UTC's does.
        let late = Zone::from_tz("<-10>10").expect("a POSIX rule");
        assert_eq!(local_day(t, &late).as_deref(), Some("2026-12-01"));
        assert_eq!(
            local_day(t - 14.0 * 3600.0, &late).as_deref(),
            Some("2026-11-30")
        );
        assert_eq!(local_day(t, &Zone::utc()).as_deref(), Some("2026-12-01"));
        assert_eq!(Zone::from_tz("not a zone at all!"), None);
    }

    /// Every character the sanitiser promises to remove.
    fn assert_clean(s: &str) {
        for c in s.chars() {
            assert!(!is_unsafe(c), "{c:?} left in {s:?}");
        }
    }

    #[test]
    fn sanitize_drops_whole_escape_sequences() {
        assert_eq!(
            sanitize("a\x1b[31mred\x1b[0m\r\nnext\u{202E}x", 100),
            "ared nextx"
        );
        // OSC 52 (clipboard) and a title change, terminated by BEL and by ST.
        assert_eq!(
            sanitize("x\x1b]52;c;cHduZWQ=\x07y\x1b]0;title\x1b\\z", 100),
            "xyz"
        );
        // DCS, APC, PM, SOS; a DSR request; charset selection; a reset.
        assert_eq!(
            sanitize(
                "1\x1bPq#0\x1b\\2\x1b_apc\x1b\\3\x1b^pm\x1b\\4\x1bXsos\x1b\\5",
                100
            ),
            "12345"
        );
        assert_eq!(sanitize("a\x1b[6nb\x1b(Bc\x1bcd", 100), "abcd");
        // 8-bit introducers.
        assert_eq!(
            sanitize("a\u{9b}2Jb\u{9d}0;t\u{9c}c\u{90}x\u{9c}d", 100),
            "abcd"
        );
        // An unterminated string swallows the rest, as a terminal would.
        assert_eq!(sanitize("ok\x1b]52;c;AAAA", 100), "ok");
        // A lone ESC at the end, or before text that starts no sequence.
        assert_eq!(sanitize("a\x1b", 100), "a");
        assert_eq!(sanitize("a\x1bé", 100), "aé");
    }

    #[test]
    fn sanitize_drops_controls_bidi_and_zero_width() {
        let hostile = "\u{7}b\u{8}\u{7f}\u{9c}i\u{200E}\u{200F}\u{202A}\u{202B}\u{202C}\
                       \u{202D}\u{202E}\u{2066}\u{2067}\u{2068}\u{2069}\u{61C}d\u{200B}\u{200C}\
                       \u{200D}\u{2060}\u{FEFF}i\u{E0041}";
        let out = sanitize(hostile, 100);
        assert_eq!(out, "bidi");
        assert_clean(&out);
        // NEL is a C1 control and a line break: it separates like a newline.
        assert_eq!(sanitize("a\u{85}b", 10), "a b");
        // A family emoji falls apart into its members, which every terminal draws alike;
        // so do presentation selectors and skin tones.
        assert_eq!(sanitize("👨\u{200D}👩\u{200D}👧", 10), "👨👩👧");
        assert_eq!(
            sanitize("❤\u{FE0F} 👍\u{1F3FD} 1\u{FE0F}\u{20E3}", 10),
            "❤ 👍 1\u{20E3}"
        );
    }

    #[test]
    fn sanitize_collapses_whitespace_and_cuts() {
        assert_eq!(sanitize("  lots   of\tspace  ", 100), "lots of space");
        assert_eq!(sanitize("abcdef", 4), "abc…");
        assert_eq!(sanitize("abcd", 4), "abcd");
        assert_eq!(sanitize("abc def", 5), "abc…");
        assert_eq!(sanitize(&"x".repeat(100_000), 300).chars().count(), 300);
        assert_eq!(sanitize("abc", 0), "");
        // A cut never splits a grapheme: not a flag, not a letter from its accent.
        assert_eq!(sanitize("ab 🇯🇵🇯🇵 cd", 5), "ab…");
        assert_eq!(sanitize("ab 🇯🇵🇯🇵 cd", 6), "ab 🇯🇵…");
        assert_eq!(sanitize("cafe\u{301}s", 5), "caf…");
        assert_eq!(sanitize("e\u{301}e\u{301}", 2), "…");
    }

    #[test]
    fn sanitize_lines_keeps_newlines() {
        assert_eq!(
            sanitize_lines("one\x1b[2J\r\ntwo\u{202E}\n\nthree", 100),
            "one\ntwo\n\nthree"
        );
    }

    #[test]
    fn json_lines_escape_what_serde_leaves() {
        let value = serde_json::json!({"s": "a\u{1b}]0;x\u{7}\u{9b}\u{202E}\u{200D}\u{FEFF}\u{7f}\u{E0041}b", "n": 1});
        let line = json_line(&value);
        assert!(line.is_ascii(), "{line}");
        assert!(line.contains(r"\u009b"), "{line}");
        assert!(line.contains(r"\u202e"), "{line}");
        assert!(line.contains(r"\u200d"), "{line}");
        assert!(line.contains(r"\udb40\udc41"), "{line}");
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back, value, "the data is intact");
        let plain = serde_json::json!({"s": "日本語 ok"});
        assert_eq!(json_line(&plain), plain.to_string());
    }

    #[test]
    fn widths_count_graphemes_as_drawn() {
        assert_eq!(str_width("hello"), 5);
        assert_eq!(str_width("日本語"), 6);
        assert_eq!(str_width("e\u{301}"), 1);
        assert_eq!(str_width("🇯🇵"), 2);
        assert_eq!(str_width("❤\u{FE0F}"), 2);
        assert_eq!(fit("hello", 5), "hello");
        assert_eq!(fit("hello world", 6), "hello…");
        assert_eq!(fit("日本語", 4), "日…");
        assert_eq!(fit_start("/a/b/c/file.png", 9), "…file.png");
        assert_eq!(fit_start("日本語", 4), "…語");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("日本", 5), "日本 ");
        // Emoji with a presentation selector are two cells each: a cut never overflows and
        // never splits a grapheme.
        let hearts = "❤\u{FE0F}❤\u{FE0F}❤\u{FE0F}";
        for w in 0..8 {
            let cut = fit(hearts, w);
            assert!(str_width(&cut) <= w, "{cut:?} wider than {w}");
            assert!(!cut.starts_with('\u{FE0F}') && !cut.contains("\u{FE0F}\u{FE0F}"));
            assert_eq!(str_width(&pad(hearts, w)), w);
            assert!(str_width(&fit_start(hearts, w)) <= w);
        }
        assert_eq!(fit(hearts, 5), "❤\u{FE0F}❤\u{FE0F}…");
        assert_eq!(fit("🇯🇵🇯🇵", 3), "🇯🇵…");
    }

    #[test]
    fn progress_is_clamped() {
        assert_eq!(fraction(f64::NAN), 0.0);
        assert_eq!(fraction(f64::INFINITY), 0.0);
        assert_eq!(fraction(-0.5), 0.0);
        assert_eq!(fraction(7.0), 1.0);
        assert_eq!(percent(0.456), "46%");
        assert_eq!(percent(-3.0), "0%");
        assert_eq!(percent(1e300), "100%");
        assert_eq!(percent(f64::NAN), DASH);
        assert_eq!(percent(f64::NEG_INFINITY), DASH);
    }

    #[test]
    fn times_and_durations_are_checked() {
        assert_eq!(elapsed(75.9), "1:15");
        assert_eq!(elapsed(-3.0), "0:00");
        assert_eq!(elapsed(4502.0), "75:02");
        assert_eq!(elapsed(f64::NAN), DASH);
        assert_eq!(elapsed(f64::INFINITY), DASH);
        assert_eq!(elapsed(1e18), DASH);
        assert_eq!(span_of(45.0), "45 s");
        assert_eq!(span_of(7300.0), "2 h 1 min");
        assert_eq!(span_of(-5.0), DASH);
        assert_eq!(span_of(f64::NAN), DASH);
        assert_eq!(span_of(f64::INFINITY), DASH);
        assert_eq!(span_of(1e300), DASH);
        assert_eq!(duration(10.0), "10 s");
        assert_eq!(duration(9.6), "10 s");
        assert_eq!(duration(f64::NAN), DASH);
        assert_eq!(duration(-5.0), DASH);
        assert_eq!(duration(f64::INFINITY), DASH);
        assert_eq!(duration(1e12), DASH);
        assert_eq!(plausible_secs(12.7), Some(12));
        assert_eq!(plausible_secs(-1.0), None);
    }

    #[test]
    fn counts_and_bytes_are_checked() {
        assert_eq!(count(28.0, 1_000_000), Some(28));
        assert_eq!(count(27.9, 1_000_000), Some(27));
        assert_eq!(count(-3.0, 1_000_000), None);
        assert_eq!(count(f64::NAN, 1_000_000), None);
        assert_eq!(count(f64::INFINITY, 1_000_000), None);
        assert_eq!(count(1e300, 1_000_000), None);
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1024), "1 KB");
        assert_eq!(bytes(64 * 1024), "64 KB");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(bytes(1024 * 1024 - 1), "1.0 MB", "never 1024.0 KB");
        assert_eq!(bytes(20 * 1024 * 1024), "20 MB");
        assert_eq!(bytes(20 * 1024 * 1024 + 1), "20.0 MB");
        assert_eq!(bytes(4_000_000), "3.8 MB");
        assert_eq!(bytes(2 * 1024 * 1024 * 1024), "2 GB");
        assert_eq!(bytes(u64::MAX), "16.0 EB");
    }

    #[test]
    fn dates_outside_the_service_era_are_a_dash() {
        assert_eq!(date(1_764_000_000.0), "2025-11-24 16:00");
        assert_eq!(date(946_684_800.0), "2000-01-01 00:00");
        assert_eq!(date(253_402_300_799.0), "9999-12-31 23:59");
        assert_eq!(date(253_402_300_800.0), DASH);
        assert_eq!(date(9.2e18), DASH, "year 292277026596");
        assert_eq!(date(0.0), DASH);
        assert_eq!(date(-1.0), DASH);
        assert_eq!(date(f64::NAN), DASH);
        assert_eq!(date(f64::INFINITY), DASH);
    }
}
