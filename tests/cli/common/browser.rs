//! Headless Chromium for the map tests: run Debian's `/usr/bin/chromium` on a page (fresh
//! profile, no network services), collect its console, read back screenshots.
//!
//! Needs `/usr/bin/chromium` (`apt-get install -y --no-install-recommends chromium`; `.ci/run`
//! installs it). Without it a test prints that it did not run and why, and passes — unless
//! `HARMSPOT_REQUIRE_BROWSER=1` is set (`.ci/run` sets it), when a missing browser fails it.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// One browser at a time: the machine is small and Chromium is heavy.
static BROWSER: Mutex<()> = Mutex::new(());

/// Whether the browser is here; when it is not, says so on the terminal (past the test
/// harness's capture) and fails if `HARMSPOT_REQUIRE_BROWSER` is set.
pub fn browser_available(test: &str) -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    if std::env::var_os("HARMSPOT_REQUIRE_BROWSER").is_some_and(|v| v != "0") {
        chromium();
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {CHROMIUM} not found, the HTML map was not checked in a browser \
         (apt-get install chromium; HARMSPOT_REQUIRE_BROWSER=1 makes this a failure)"
    );
    false
}

pub fn chromium() -> &'static Path {
    let p = Path::new(CHROMIUM);
    assert!(
        p.exists(),
        "{CHROMIUM} is missing: install Debian's Chromium to run the browser test of the HTML map \
         (`apt-get update && apt-get install -y --no-install-recommends chromium`; .ci/run does this)"
    );
    p
}

/// Runs headless Chromium on `url` with `extra` flags; returns (stdout, stderr).
pub fn browse(work: &Path, url: &str, extra: &[String]) -> (String, String) {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let profile = tempfile::tempdir_in(work).unwrap();
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("Chromium starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Chromium did not finish within 90 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (t_out.join().unwrap(), t_err.join().unwrap());
    assert!(
        status.success(),
        "Chromium failed ({status}) on {url}: {stderr}"
    );
    (stdout, stderr)
}

pub fn file_url(p: &Path) -> String {
    format!("file://{}", p.canonicalize().unwrap().display())
}

/// Console output from the page (Chromium logs every console message as `CONSOLE`); the page
/// itself logs nothing, so any is a script error or a blocked request.
pub fn console_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect()
}

/// The opening tag of the element holding `attr`.
pub fn tag_with<'a>(dom: &'a str, attr: &str) -> &'a str {
    let i = dom
        .find(attr)
        .unwrap_or_else(|| panic!("no element with {attr}"));
    let start = dom[..i].rfind('<').unwrap();
    let end = i + dom[i..].find('>').unwrap();
    &dom[start..=end]
}

/// Colours of the screenshot inside `x0..x1`, `y0..y1`.
pub fn colours_in(
    px: &[[u8; 4]],
    w: u32,
    (x0, x1): (u32, u32),
    (y0, y1): (u32, u32),
) -> HashSet<[u8; 4]> {
    let mut set = HashSet::new();
    for y in y0..y1 {
        for x in x0..x1 {
            set.insert(px[(y * w + x) as usize]);
        }
    }
    set
}
