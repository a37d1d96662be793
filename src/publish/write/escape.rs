//! Escaping text cells for the formats partners open: CSV cells that a spreadsheet would run
//! as a formula, and Markdown text that a viewer would render as HTML or table structure.

use std::borrow::Cow;

/// A CSV cell safe to open in a spreadsheet (OWASP's CSV-injection rule): text that begins
/// with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so it is shown as
/// text, not run as a formula. Numbers (`-1.5`, `+3`) are left as they are. Quoting for the
/// CSV syntax itself (commas, quotes) is the CSV writer's job.
///
/// ```
/// use harmspot::write::escape::csv_cell;
/// assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
/// assert_eq!(csv_cell("-1.5"), "-1.5");
/// assert_eq!(csv_cell("Hub A"), "Hub A");
/// ```
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let risky = matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && s.trim().parse::<f64>().is_err() {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// One complete CSV field for writers that do not use the `csv` crate: [`csv_cell`], then
/// quoted (`"` doubled) when it holds a comma, a quote or a line break.
///
/// ```
/// use harmspot::write::escape::csv_field;
/// assert_eq!(csv_field("n_burglary"), "n_burglary");
/// assert_eq!(csv_field("a,b"), "\"a,b\"");
/// assert_eq!(csv_field("=1+1,\"x\""), "\"'=1+1,\"\"x\"\"\"");
/// ```
pub fn csv_field(s: &str) -> Cow<'_, str> {
    let c = csv_cell(s);
    if c.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", c.replace('"', "\"\"")))
    } else {
        c
    }
}

/// Text quoted in Markdown (a name in a sentence or a table cell): HTML and Markdown
/// metacharacters become entities or backslash escapes, and line breaks become spaces, so
/// the text shows as written and cannot add HTML, links, emphasis or table columns.
///
/// ```
/// use harmspot::write::escape::markdown;
/// assert_eq!(markdown("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
/// assert_eq!(markdown("a | b"), "a \\| b");
/// assert_eq!(markdown("Hub A (west) [1]"), "Hub A (west) \\[1\\]");
/// ```
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Like [`markdown`], but a `` `name` `` the text quotes (a file, a column: the library's
/// own quoting) becomes a code span instead of showing escaped backticks. Text with an odd
/// number of backticks is escaped whole.
///
/// ```
/// use harmspot::write::escape::markdown_code;
/// assert_eq!(markdown_code("harm table `default` (version 1_a)"), "harm table `default` (version 1\\_a)");
/// assert_eq!(markdown_code("a ` b"), "a \\` b");
/// assert_eq!(markdown_code("`x<y|z`"), "`x<y|z`");
/// ```
pub fn markdown_code(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() % 2 == 0 {
        return markdown(s);
    }
    let mut out = String::with_capacity(s.len());
    for (k, part) in parts.iter().enumerate() {
        if k % 2 == 0 {
            out.push_str(&markdown(part));
        } else {
            out.push('`');
            out.extend(part.chars().map(|c| if c.is_control() { ' ' } else { c }));
            out.push('`');
        }
    }
    out
}
