//! Issue 23: edge inputs that gave silent wrong answers, outputs and interrupted runs,
//! messages a user can act on, slow refusals. One test per reproduction of the issue
//! (item numbers in the names); each failed before its fix.

use super::common::{fails, ok, row, sample, write, HEADER};
use std::path::Path;

fn month_file(dir: &Path, rel: &str, month: &str, n: usize) {
    let mut lines = vec![HEADER.to_string()];
    for i in 0..n {
        lines.push(row(
            &format!("id{month}{i}"),
            month,
            &format!("{:.4}", -1.61 + 0.001 * i as f64),
            "54.97",
            "Burglary",
        ));
    }
    write(dir, rel, &lines);
}

fn rows_read(out: &str) -> &str {
    out.lines()
        .find(|l| l.starts_with("rows read"))
        .expect("a rows read line")
}

#[cfg(unix)]
#[test]
fn item02_a_symlinked_month_folder_is_read() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    month_file(d, "yr/2021-01/2021-01-x-street.csv", "2021-01", 3);
    month_file(d, "elsewhere/2021-02/2021-02-x-street.csv", "2021-02", 4);
    std::os::unix::fs::symlink(d.join("elsewhere/2021-02"), d.join("yr/2021-02")).unwrap();
    assert!(rows_read(&ok(d, &["info", "yr"])).ends_with(" 7"));
    // a folder of links only
    std::fs::create_dir(d.join("links")).unwrap();
    std::os::unix::fs::symlink(d.join("elsewhere/2021-02"), d.join("links/m")).unwrap();
    assert!(rows_read(&ok(d, &["info", "links"])).ends_with(" 4"));
    // a link loop is walked once; a dangling link is named
    std::os::unix::fs::symlink(d.join("yr"), d.join("yr/loop")).unwrap();
    assert!(rows_read(&ok(d, &["info", "yr"])).ends_with(" 7"));
    std::os::unix::fs::symlink(d.join("nowhere"), d.join("yr/2021-03")).unwrap();
    let e = fails(d, &["info", "yr"]);
    assert!(e.contains("2021-03") && e.contains("symbolic link"), "{e}");
}

#[test]
fn item03_cr_only_line_ends_are_read() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let mut text = HEADER.to_string();
    for i in 0..5 {
        text += "\r";
        text += &row(&format!("c{i}"), "2021-03", "-1.61", "54.97", "Burglary");
    }
    text += "\r";
    std::fs::write(d.join("old-mac-street.csv"), text).unwrap();
    let out = ok(d, &["info", "old-mac-street.csv"]);
    assert!(rows_read(&out).ends_with(" 5"), "{out}");
    assert!(out.contains("5 kept"), "{out}");
}

#[test]
fn item04_an_extent_holding_no_incident_is_refused_and_degrees_named() {
    let t = tempfile::tempdir().unwrap();
    let s = sample();
    let e = fails(
        t.path(),
        &[
            "count",
            s.to_str().unwrap(),
            "--cell-size",
            "100",
            "--extent",
            "-2,54,-1,55",
            "--out",
            "c.csv",
        ],
    );
    assert!(
        e.contains("--extent")
            && e.contains("longitude/latitude degrees")
            && e.contains("EPSG:27700"),
        "{e}"
    );
    assert!(!t.path().join("c.csv").exists());
}

fn hubs(dir: &Path, far: bool) -> String {
    let pt = |name: &str, lon: f64, lat: f64| {
        format!("{{\"type\":\"Feature\",\"properties\":{{\"name\":\"{name}\"}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{lon},{lat}]}}}}")
    };
    let mut f = vec![pt("Near", -1.6100, 54.9700)];
    if far {
        f.push(pt("Far", -1.5, 51.5));
    }
    let p = dir.join("hubs.geojson");
    std::fs::write(
        &p,
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
            f.join(",")
        ),
    )
    .unwrap();
    p.to_str().unwrap().to_string()
}

/// Two months of incidents spread over a few km around (-1.61, 54.97).
fn two_months(dir: &Path) -> String {
    let mut lines = vec![HEADER.to_string()];
    for (m, month) in ["2021-01", "2021-02"].iter().enumerate() {
        for i in 0..200 {
            let (a, b) = ((i % 20) as f64, (i / 20) as f64);
            lines.push(row(
                &format!("r{m}-{i}"),
                month,
                &format!("{:.5}", -1.64 + 0.003 * a),
                &format!("{:.5}", 54.95 + 0.004 * b),
                if i % 3 == 0 {
                    "Anti-social behaviour"
                } else {
                    "Burglary"
                },
            ));
        }
    }
    write(dir, "two-street.csv", &lines)
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn item05_a_hub_far_from_every_incident_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let input = two_months(d);
    let args = |h: &str| -> Vec<String> {
        [
            "compare",
            &input,
            "--areas",
            h,
            "--radius",
            "300",
            "--buffer",
            "300",
            "--before",
            "2021-01..2021-01",
            "--after",
            "2021-02..2021-02",
            "--out",
            "cmp",
            "-q",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let near = hubs(d, false);
    let a = args(&near);
    ok(d, &a.iter().map(String::as_str).collect::<Vec<_>>());
    std::fs::remove_dir_all(d.join("cmp")).unwrap();
    let far = hubs(d, true);
    let a = args(&far);
    let e = fails(d, &a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        e.contains("`Far`") && e.contains("km from the nearest incident") && e.contains("--areas"),
        "{e}"
    );
}

#[test]
fn item06_a_buffer_control_equal_to_the_treatment_areas_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let input = two_months(d);
    let sq = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"name\":\"Sq\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[-1.62,54.96],[-1.60,54.96],[-1.60,54.97],[-1.62,54.97],[-1.62,54.96]]]}}]}";
    std::fs::write(d.join("sq.geojson"), sq).unwrap();
    let e = fails(
        d,
        &[
            "compare",
            &input,
            "--areas",
            "sq.geojson",
            "--buffer",
            "200",
            "--buffer-control",
            "sq.geojson",
            "--before",
            "2021-01..2021-01",
            "--after",
            "2021-02..2021-02",
            "--out",
            "cmp",
        ],
    );
    assert!(
        e.contains("--buffer-control") && e.contains("holds no incident"),
        "{e}"
    );
    assert!(!d.join("cmp").exists());
}

#[test]
fn item07_concatenated_collections_and_a_single_feature_are_read_whole() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let p = "{\"type\":\"Feature\",\"properties\":{\"Month\":\"2021-03\",\"Crime type\":\"Burglary\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[-1.61,54.97]}}";
    std::fs::write(
        d.join("two.geojson"),
        format!("{{\"type\":\"FeatureCollection\",\"features\":[{p},{p}]}}\n{{\"bbox\":[0,0,1,1],\"type\":\"FeatureCollection\",\"features\":[{p}]}}\n"),
    )
    .unwrap();
    assert!(rows_read(&ok(d, &["info", "two.geojson"])).ends_with(" 3"));
    std::fs::write(d.join("one.geojson"), p).unwrap();
    assert!(rows_read(&ok(d, &["info", "one.geojson"])).ends_with(" 1"));
}

#[test]
fn item08_absurd_bandwidth_factors_and_harm_weights_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let s = sample();
    let s = s.to_str().unwrap();
    let e = fails(
        d,
        &["kde", s, "--bandwidth-adjust", "1e300", "--out", "k.csv"],
    );
    assert!(
        e.contains("--bandwidth-adjust") && e.contains("1000 km"),
        "{e}"
    );
    for w in ["1e200", "1e308"] {
        std::fs::write(
            d.join("h.csv"),
            format!("crime_type,weight,source,version\n*,{w},x,1\n"),
        )
        .unwrap();
        let e = fails(d, &["gistar", s, "--harm", "h.csv", "--out", "g.csv"]);
        assert!(
            e.contains("h.csv:2") && e.contains("weight") && e.contains("larger than"),
            "{e}"
        );
    }
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Runs harmspot in `dir` under `umask` (through `sh`, so the test process's own umask is
/// left alone).
#[cfg(unix)]
fn with_umask(dir: &Path, umask: &str, args: &[&str]) {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let script = format!(
        "umask {umask} && exec '{}' {}",
        env!("CARGO_BIN_EXE_harmspot"),
        quoted.join(" ")
    );
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[cfg(unix)]
#[test]
fn item09_outputs_follow_the_umask() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let s = sample();
    let s = s.to_str().unwrap();
    with_umask(
        d,
        "022",
        &["count", s, "--cell-size", "500", "--out", "c.csv", "-q"],
    );
    assert_eq!(mode(&d.join("c.csv")), 0o644);
    assert_eq!(mode(&d.join("c.csv.manifest.json")), 0o644);
    with_umask(d, "027", &["hotspots", s, "--out", "res", "-q"]);
    assert_eq!(mode(&d.join("res")), 0o750);
    assert_eq!(mode(&d.join("res/summary.md")), 0o640);
    with_umask(
        d,
        "077",
        &["count", s, "--cell-size", "500", "--out", "p.csv", "-q"],
    );
    assert_eq!(mode(&d.join("p.csv")), 0o600);
}

#[cfg(unix)]
#[test]
fn item10_a_read_only_result_folder_is_not_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let s = sample();
    let s = s.to_str().unwrap();
    ok(d, &["hotspots", s, "--out", "res", "-q"]);
    std::fs::set_permissions(d.join("res"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let e = fails(d, &["hotspots", s, "--out", "res", "-q"]);
    std::fs::set_permissions(d.join("res"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(e.contains("`res` is read-only"), "{e}");
    let hidden: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(hidden.is_empty());
}

#[cfg(target_os = "linux")]
#[test]
fn item11_an_unusable_destination_is_refused_before_the_work() {
    use std::os::unix::fs::MetadataExt;
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let s = sample();
    let s = s.to_str().unwrap();
    // a folder nobody can write in (procfs), refused before reading the input
    let e = fails(
        d,
        &["count", s, "--cell-size", "500", "--out", "/proc/c.csv"],
    );
    assert!(
        e.contains("cannot write in `/proc`") && !e.contains("rows from"),
        "{e}"
    );
    // a mount point
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && std::fs::metadata(shm).unwrap().dev() != std::fs::metadata("/dev").unwrap().dev()
    {
        let e = fails(d, &["hotspots", s, "--out", "/dev/shm"]);
        assert!(e.contains("mount point") && !e.contains("rows from"), "{e}");
    }
}

#[cfg(unix)]
#[test]
fn item12_an_interrupted_run_leaves_no_temporary() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    for (sig, name) in [(libc_sig::SIGINT, "int"), (libc_sig::SIGTERM, "term")] {
        let out = format!("{name}-street.csv");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
            .args(["generate", "--rows", "20000000", "--out", &out, "-q"])
            .current_dir(d)
            .spawn()
            .unwrap();
        // wait for the temporary to appear, then interrupt
        let start = std::time::Instant::now();
        while std::fs::read_dir(d).unwrap().count() == 0 && start.elapsed().as_secs() < 30 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        std::process::Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "{name}");
        let left: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert!(left.is_empty(), "{name}: {left:?}");
    }
}

#[cfg(unix)]
mod libc_sig {
    pub const SIGINT: i32 = 2;
    pub const SIGTERM: i32 = 15;
}

#[test]
fn item13_a_run_file_replays_from_another_folder() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    std::fs::create_dir_all(d.join("data")).unwrap();
    std::fs::copy(sample(), d.join("data/x-street.csv")).unwrap();
    ok(
        d,
        &["hotspots", "data/x-street.csv", "--out", "out/res", "-q"],
    );
    let before = std::fs::read(d.join("out/res/summary.json")).unwrap();
    std::fs::create_dir(d.join("elsewhere")).unwrap();
    ok(
        &d.join("elsewhere"),
        &["run", "../out/res/run.toml", "--force", "-q"],
    );
    assert!(!d.join("elsewhere/out").exists());
    assert_eq!(
        std::fs::read(d.join("out/res/summary.json")).unwrap(),
        before
    );
    // a file's manifest replays too
    ok(
        d,
        &[
            "count",
            "data/x-street.csv",
            "--cell-size",
            "500",
            "--out",
            "out/c.csv",
            "-q",
        ],
    );
    ok(
        &d.join("elsewhere"),
        &["run", "../out/c.csv.manifest.json", "-q"],
    );
    assert!(!d.join("elsewhere/out").exists());
}

#[cfg(target_os = "linux")]
#[test]
fn item13_a_non_utf8_input_name_is_refused_clearly_on_replay() {
    use std::os::unix::ffi::OsStrExt;
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9-street.csv");
    std::fs::copy(sample(), d.join(name)).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
        .arg("count")
        .arg(name)
        .args(["--cell-size", "500", "--out", "c.csv", "-q"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let e = fails(d, &["run", "c.csv.manifest.json"]);
    assert!(e.contains("not valid UTF-8") && e.contains("rename"), "{e}");
}

#[test]
fn item14_no_internal_placeholder_reaches_the_user() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let r = row("same-id", "2021-03", "-1.61", "54.97", "Burglary");
    let r2 = r.replace("Test Street", "Other Street");
    write(d, "dup-street.csv", &[HEADER.to_string(), r, r2]);
    for args in [
        &["info", "dup-street.csv", "--json"][..],
        &["info", "dup-street.csv"],
    ] {
        let o = super::common::run(d, args);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            all.contains("--unique-ids keeps only the first") && !all.contains('‹'),
            "{all}"
        );
    }
    let e = fails(
        d,
        &[
            "generate",
            "--clusters",
            "100000000",
            "--out",
            "g-street.csv",
        ],
    );
    assert!(e.contains("change --clusters") && !e.contains('`'), "{e}");
    let input = two_months(d);
    let hubs = hubs(d, false);
    let e = fails(
        d,
        &[
            "compare",
            &input,
            "--areas",
            &hubs,
            "--radius",
            "300",
            "--start",
            "2021-02",
            "--months",
            "1000000000",
            "--out",
            "cmp",
        ],
    );
    assert!(
        e.contains("--months") && !e.contains("unknown") && !e.contains('‹'),
        "{e}"
    );
}

#[test]
fn item15_messages_say_what_is_wrong_once() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let input = two_months(d);
    let e = fails(
        d,
        &[
            "compare",
            &input,
            "--areas",
            "missing.geojson",
            "--radius",
            "300",
            "--start",
            "2021-02",
            "--out",
            "cmp",
        ],
    );
    assert!(
        !e.contains("--areas-crs"),
        "a missing file has nothing to do with its CRS: {e}"
    );
    assert_eq!(e.matches("os error 2").count(), 1, "{e}");
    for (body, want) in [
        ("", "empty file"),
        ("null", "not a GeoJSON file"),
        (
            "{\"type\":\"FeatureCollection\",\"features\":[]}",
            "holds no features",
        ),
    ] {
        std::fs::write(d.join("a.geojson"), body).unwrap();
        let e = fails(
            d,
            &[
                "compare",
                &input,
                "--areas",
                "a.geojson",
                "--radius",
                "300",
                "--start",
                "2021-02",
                "--out",
                "cmp",
            ],
        );
        assert!(
            e.contains(want) && !e.contains("fill whole buffer"),
            "{body}: {e}"
        );
    }
    // a single Feature is read
    let one = "{\"type\":\"Feature\",\"properties\":{\"name\":\"Near\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[-1.61,54.97]}}";
    std::fs::write(d.join("a.geojson"), one).unwrap();
    ok(
        d,
        &[
            "compare",
            &input,
            "--areas",
            "a.geojson",
            "--radius",
            "300",
            "--before",
            "2021-01..2021-01",
            "--after",
            "2021-02..2021-02",
            "--out",
            "cmp",
            "-q",
        ],
    );
    // a --boundary error does not speak of "the areas"
    std::fs::write(d.join("b.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[400000,500000],[401000,500000],[401000,501000],[400000,500000]]]}}]}").unwrap();
    let e = fails(
        d,
        &[
            "count",
            &input,
            "--boundary",
            "b.geojson",
            "--cell-size",
            "500",
            "--out",
            "c.csv",
        ],
    );
    assert!(
        e.contains("--boundary") && !e.contains("given with the areas"),
        "{e}"
    );
}

#[test]
fn item16_skip_reports_compress_consecutive_lines() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let mut lines = vec![HEADER.to_string()];
    for i in 0..8 {
        lines.push(row(&format!("e{i}"), "2021-03", "", "", "Burglary"));
    }
    lines.push(row("ok", "2021-03", "-1.61", "54.97", "Burglary"));
    write(d, "sub/2021-08-x-street.csv", &lines);
    let o = super::common::run(
        d,
        &[
            "count",
            "sub/2021-08-x-street.csv",
            "--cell-size",
            "500",
            "--out",
            "c.csv",
        ],
    );
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("(e.g. 2021-08-x-street.csv lines 2–6, …)"),
        "{e}"
    );
    assert_eq!(e.matches("2021-08-x-street.csv").count(), 1, "{e}");
}

#[test]
fn item17_summary_quotes_the_harm_table_as_code() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let s = sample();
    ok(d, &["hotspots", s.to_str().unwrap(), "--out", "res", "-q"]);
    let md = std::fs::read_to_string(d.join("res/summary.md")).unwrap();
    assert!(
        md.contains("harm table `default`") && !md.contains("\\`"),
        "{md}"
    );
}

#[test]
fn item18_knox_refuses_too_many_close_pairs_up_front() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    ok(
        d,
        &[
            "generate",
            "--rows",
            "200000",
            "--out",
            "g-street.csv",
            "-q",
        ],
    );
    let start = std::time::Instant::now();
    let e = fails(d, &["knox", "g-street.csv", "--out", "k.csv"]);
    let took = start.elapsed().as_secs_f64();
    // the up-front check's message (the check while listing pairs says "more than")
    assert!(
        e.contains("--distance-bands")
            && e.contains("lie within 800 m")
            && e.contains("the test can hold"),
        "{e}"
    );
    // before the fix the refusal came after listing 3 × 10⁸ pairs (40 s in a release build)
    assert!(took < 120.0, "refused after {took:.1} s");
}

#[test]
fn item18_kde_refuses_a_huge_output_up_front() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let s = sample();
    let start = std::time::Instant::now();
    let e = fails(
        d,
        &[
            "kde",
            s.to_str().unwrap(),
            "--cell-size",
            "2",
            "--extent",
            "420000,560000,430000,570000",
            "--out",
            "k.geojson",
        ],
    );
    assert!(
        e.contains("--cell-size") && e.contains("GB") && e.contains("k.geojson"),
        "{e}"
    );
    assert!(start.elapsed().as_secs_f64() < 20.0);
    assert!(!d.join("k.geojson").exists());
}

#[test]
fn item17_the_map_title_names_the_analysis_force_and_period() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    std::fs::create_dir_all(d.join("data/2021-03")).unwrap();
    std::fs::copy(
        sample(),
        d.join("data/2021-03/2021-03-northumbria-street.csv"),
    )
    .unwrap();
    ok(d, &["hotspots", "data", "--out", "fy", "-q"]);
    ok(d, &["map", "fy", "--out", "fy/map.html", "-q"]);
    let html = std::fs::read_to_string(d.join("fy/map.html")).unwrap();
    assert!(
        html.contains("<title>Harm hotspots, Northumbria, 2021-03</title>"),
        "{}",
        &html[..html.len().min(600)]
    );
}

#[test]
fn item17_harm_sums_carry_the_weights_precision() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point
    std::fs::write(
        d.join("h.csv"),
        "crime_type,weight,source,version\nBurglary,0.1,x,1\nRobbery,0.2,x,1\n",
    )
    .unwrap();
    let lines = vec![
        HEADER.to_string(),
        row("a", "2021-03", "-1.61", "54.97", "Burglary"),
        row("b", "2021-03", "-1.61", "54.97", "Robbery"),
    ];
    write(d, "x-street.csv", &lines);
    ok(
        d,
        &[
            "count",
            "x-street.csv",
            "--harm",
            "h.csv",
            "--cell-size",
            "500",
            "--out",
            "c.csv",
            "-q",
        ],
    );
    let csv = std::fs::read_to_string(d.join("c.csv")).unwrap();
    assert!(csv.lines().any(|l| l.ends_with(",2,0.3")), "{csv}");
    assert!(!csv.contains("0000000"), "{csv}");
}
