//! One self-contained interactive HTML map: the layers as inline SVG in Web Mercator, drawn
//! by hand-written JavaScript embedded in the page (no library, no CDN). It opens offline
//! and, unless a basemap is asked for, makes no network request at all: a Content Security
//! Policy in the page forbids every fetch (but the basemap's tile host when given).
//!
//! The page offers pan (drag, arrow keys), zoom (wheel, `+`/`−` buttons and keys, "fit"),
//! a checkbox per layer (the cells twice when they carry Gi* classes: density and Gi*), a
//! legend, a popup listing the properties of every feature under a click (`null` shown as
//! "suppressed"), a scale bar, the run parameters and the OGL attribution. `#LAYER/INDEX`
//! in the address (e.g. `map.html#hotspots/0`) opens that feature's popup.
//!
//! **Safety.** Every text from the data reaches the page through `textContent` or
//! `setAttribute`, never as markup; the data block is JSON with `<`, `>`, `&`, U+2028 and
//! U+2029 escaped, so no property can close the `<script>` element. The title is
//! HTML-escaped ([`escape_html`]).
//!
//! **Content Security Policy** (issue 14; CSP Level 3, W3C). `default-src 'none'`; scripts
//! only by the SHA-256 hashes of the page's own two inline scripts, computed as the page is
//! written ([`script_hash`]), so an injected or altered script does not run; `base-uri
//! 'none'` and `form-action 'none'`, so no `<base>` can redirect relative addresses and no
//! form can post anywhere; `style-src 'unsafe-inline'` for the inline style sheet and the
//! style attributes the script sets; `img-src` only the basemap's host.
//!
//! The data block (`data`) is JSON in a `<script type="application/json">`, which the
//! browser never runs, so it needs no hash.
//!
//! **Checks.** The page records every script error, unhandled rejection and blocked request
//! in a visible `<ul id="errors">` list and sets `data-ready="true"` on `<html>` once drawn,
//! so a headless browser can check it (`tests/browser_map.rs`).

mod data;

use super::MapData;
use crate::error::{Error, Result};
use crate::publish::write::write_atomic;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

/// The page's script (hand-written, no dependency).
const SCRIPT: &str = include_str!("map.js");
/// The page's style sheet.
const STYLE: &str = include_str!("map.css");
/// The first script of the page: records every error in the page itself, so it shows
/// without a console.
const REPORTER: &str = r#"
// Records every error in the page itself, so it shows without a console.
(function () {
  function report(msg) {
    var list = document.getElementById('errors');
    if (!list) { list = document.createElement('ul'); list.id = 'errors'; (document.body || document.documentElement).appendChild(list); }
    list.hidden = false;
    var li = document.createElement('li');
    li.textContent = String(msg);
    list.appendChild(li);
    document.documentElement.setAttribute('data-errors', String(list.children.length));
  }
  window.harmspotReport = report;
  window.addEventListener('error', function (e) { report('error: ' + e.message + ' (line ' + e.lineno + ':' + e.colno + ')'); });
  window.addEventListener('unhandledrejection', function (e) { report('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) { report('blocked by the content security policy: ' + e.blockedURI + ' (' + e.violatedDirective + ')'); });
})();
"#;

/// Options of the HTML map.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HtmlOptions {
    /// An XYZ tile URL template (`https://tile.example/{z}/{x}/{y}.png`, `{s}` for a
    /// sub-domain a/b/c) drawn under the layers. Default: none, and the page makes no request.
    pub basemap_url: Option<String>,
    /// Attribution of the basemap, shown in the footer (default: none).
    pub basemap_attribution: Option<String>,
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
///
/// ```
/// assert_eq!(harmspot::map::html::escape_html(r#"<b a="1">&'"#), "&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
/// ```
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON for a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 written as `\uXXXX`
/// escapes (valid JSON, and no `</script>` can appear).
///
/// ```
/// let s = harmspot::map::html::script_json(&serde_json::json!({"a": "</script>&"}));
/// assert_eq!(s, r#"{"a":"\u003c/script\u003e\u0026"}"#);
/// ```
pub fn script_json(v: &Value) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + 64);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Checks a basemap URL template and returns the Content-Security-Policy source that lets
/// the page load its tiles: `scheme://host[:port]` (`scheme://*.rest` when the host starts
/// with `{s}.`), or the bare scheme (`file:`).
///
/// The template must be `http://`, `https://` or `file://`, contain `{z}`, `{x}` and `{y}`,
/// and hold no space, quote, `<`, `>`, `;` or `,`.
///
/// ```
/// use harmspot::map::html::basemap_source;
/// assert_eq!(basemap_source("https://tile.example/{z}/{x}/{y}.png").unwrap(), "https://tile.example");
/// assert_eq!(basemap_source("https://{s}.tile.example:8080/{z}/{x}/{y}.png").unwrap(), "https://*.tile.example:8080");
/// assert!(basemap_source("https://tile.example/{z}/{x}.png").is_err());
/// ```
pub fn basemap_source(url: &str) -> Result<String> {
    let bad = |why: &str| Error::param(crate::Param::BasemapUrl, format!("`{url}`: {why}"));
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"'<>;,`\\".contains(c))
    {
        return Err(bad("must not hold spaces, quotes, <, >, ; or ,"));
    }
    for k in ["{z}", "{x}", "{y}"] {
        if !url.contains(k) {
            return Err(bad("an XYZ tile template needs {z}, {x} and {y}, e.g. https://tile.example/{z}/{x}/{y}.png"));
        }
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("must start with https://, http:// or file://"))?;
    let scheme = scheme.to_ascii_lowercase();
    match scheme.as_str() {
        "file" => Ok("file:".into()),
        "http" | "https" => {
            let host = rest.split('/').next().unwrap_or("");
            if host.is_empty() {
                return Err(bad("no host name"));
            }
            if let Some(tail) = host.strip_prefix("{s}.") {
                if tail.contains('{') {
                    return Err(bad("only a leading {s}. may vary in the host name"));
                }
                Ok(format!("{scheme}://*.{tail}"))
            } else if host.contains('{') {
                Err(bad("only a leading {s}. may vary in the host name"))
            } else {
                Ok(format!("{scheme}://{host}"))
            }
        }
        _ => Err(bad("must start with https://, http:// or file://")),
    }
}

/// The CSP source of an inline script: `'sha256-` and the standard base64 (RFC 4648, with
/// padding) of the SHA-256 of its text, the exact characters between `<script>` and
/// `</script>` (CSP Level 3, "hash-source").
///
/// ```
/// // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
/// assert_eq!(harmspot::map::html::script_hash("alert(1)"),
///     "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='");
/// ```
pub fn script_hash(text: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Renders the page.
///
/// Parameters: the map ([`super::load`]/[`super::build`]); the options.
///
/// Returns the whole HTML document: style, data and script inline. The same map and options
/// give the same bytes.
///
/// Errors: a bad `--basemap-url` ([`basemap_source`]).
///
/// ```
/// use harmspot::map::{build, html, MapParams};
/// let fc: geojson::FeatureCollection = serde_json::from_value(serde_json::json!({"type": "FeatureCollection",
///     "features": [{"type": "Feature", "properties": {"rank": 1, "name": "</script><b>"},
///       "geometry": {"type": "Polygon", "coordinates": [[[-1.61, 54.97], [-1.60, 54.97], [-1.60, 54.98], [-1.61, 54.97]]]}}]})).unwrap();
/// let map = build(vec![("hotspots.geojson".into(), fc)], &MapParams::default().title("A & B")).unwrap();
/// let page = html::render(&map, &html::HtmlOptions::default()).unwrap();
/// assert!(page.contains("<title>A &amp; B</title>"));
/// assert!(!page.contains("</script><b>") && page.contains(r"\u003c/script\u003e\u003cb\u003e"));
/// assert!(page.contains("img-src 'none'")); // no request without a basemap
/// assert!(page.contains("script-src 'sha256-") && !page.contains("'unsafe-inline'; style"));
/// ```
pub fn render(map: &MapData, opts: &HtmlOptions) -> Result<String> {
    let img_src = match &opts.basemap_url {
        Some(u) => basemap_source(u)?,
        None => "'none'".to_string(),
    };
    let title = escape_html(&map.title);
    let data = script_json(&data::page_data(map, opts));
    // The text between <script> and </script>, exactly as hashed.
    let main = format!("\n{SCRIPT}");
    let scripts = format!("{} {}", script_hash(REPORTER), script_hash(&main));
    let mut page = String::with_capacity(data.len() + SCRIPT.len() + STYLE.len() + 4096);
    let _ = write!(
        page,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src {img_src}; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="harmspot {version}">
<title>{title}</title>
<style>
{STYLE}</style>
</head>
<body>
<script>{REPORTER}</script>
<div id="app">
<header><h1 id="title">{title}</h1></header>
<main id="map" tabindex="0" aria-label="Map: drag to pan, wheel or + and - to zoom, click a feature for its properties"></main>
<aside id="panel" aria-label="Layers and legend">
<h2>Layers</h2>
<div id="layers"></div>
<h2>Legend</h2>
<div id="legend"></div>
<h2>Run</h2>
<dl id="params"></dl>
</aside>
<footer id="footer"></footer>
</div>
<ul id="errors" hidden></ul>
<script type="application/json" id="map-data">{data}</script>
<script>{main}</script>
</body>
</html>
"#,
        version = env!("CARGO_PKG_VERSION"),
    );
    Ok(page)
}

/// Renders the page ([`render`]) and writes it to `dest` atomically.
pub fn write(dest: &Path, map: &MapData, opts: &HtmlOptions) -> Result<()> {
    let page = render(map, opts)?;
    write_atomic(dest, |w| w.write_all(page.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded, "{plain}");
        }
    }

    /// The texts of the page's `<script>` elements without a `type` (those a browser runs).
    fn executable_scripts(page: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = page;
        while let Some(i) = rest.find("<script") {
            let open_end = i + rest[i..].find('>').unwrap() + 1;
            let close = open_end + rest[open_end..].find("</script>").unwrap();
            if !rest[i..open_end].contains("type=") {
                out.push(&rest[open_end..close]);
            }
            rest = &rest[close..];
        }
        out
    }

    #[test]
    fn policy_hashes_exactly_the_scripts_in_the_page() {
        let fc: geojson::FeatureCollection = serde_json::from_value(serde_json::json!(
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
             "geometry": {"type": "Point", "coordinates": [-1.6, 54.97]}}]}))
        .unwrap();
        let map = crate::map::build(vec![("x.geojson".into(), fc)], &Default::default()).unwrap();
        let page = render(&map, &HtmlOptions::default()).unwrap();
        let csp = page
            .lines()
            .find(|l| l.contains("http-equiv=\"Content-Security-Policy\""))
            .unwrap();
        let script_src = csp
            .split(';')
            .find(|d| d.trim_start().starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe"), "{script_src}");
        assert!(
            csp.contains("; base-uri 'none'; form-action 'none'"),
            "{csp}"
        );
        let scripts = executable_scripts(&page);
        assert_eq!(scripts.len(), 2);
        let mut want: Vec<String> = scripts
            .iter()
            .map(|t| {
                let digest = Sha256::digest(t.as_bytes());
                format!("'sha256-{}'", base64(&digest))
            })
            .collect();
        let mut have: Vec<String> = script_src
            .split_whitespace()
            .skip(1)
            .map(String::from)
            .collect();
        want.sort();
        have.sort();
        assert_eq!(have, want);
        // the HTML parser turns CR LF into LF before hashing: the scripts hold none
        assert!(scripts.iter().all(|t| !t.contains('\r')));
    }

    #[test]
    fn basemap_urls() {
        assert_eq!(
            basemap_source("file:///tmp/t/{z}/{x}/{y}.png").unwrap(),
            "file:"
        );
        assert_eq!(
            basemap_source("HTTP://a.b/{z}/{x}/{y}").unwrap(),
            "http://a.b"
        );
        for bad in [
            "ftp://a/{z}/{x}/{y}",
            "https://a/{z}/{x}/{y}.png; script-src *",
            "https://{s}.{t}.b/{z}/{x}/{y}",
            "https:///{z}/{x}/{y}",
            "tile/{z}/{x}/{y}",
            "https://a/{z}/{x}/{y}.png\"",
        ] {
            let e = basemap_source(bad).unwrap_err();
            assert!(e.to_string().starts_with("‹basemap_url›: "), "{bad}: {e}");
        }
    }

    #[test]
    fn escapes_line_separators() {
        assert_eq!(
            script_json(&serde_json::json!("a\u{2028}b")),
            "\"a\\u2028b\""
        );
    }
}
