//! Streaming GeoJSON (RFC 7946): one or more top-level objects, each a FeatureCollection
//! or a single Feature, read feature by feature without holding the file in memory.
//!
//! GeoJSON exports are sometimes concatenated (`cat a.geojson b.geojson`), or hold a single
//! Feature; both are read whole, in file order, features numbered across the file. Members
//! may come in any order (`bbox` or `crs` before `features`). Anything else — an empty file,
//! `null`, a bare Geometry, a collection without `features` — is an error saying what was
//! found, with the JSON position when the syntax is at fault.

use crate::error::{Error, Result};
use geojson::{Feature, JsonObject, JsonValue};
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::BufRead;
use std::path::Path;

/// Calls `each(number, feature)` for every feature of every top-level object of `reader`
/// (numbers from 1, across objects). Returns each top-level object's members other than
/// `type` and `features` (e.g. `crs`, `bbox`), in file order.
pub fn for_each_feature<R: BufRead>(
    mut reader: R,
    path: &Path,
    mut each: impl FnMut(u64, Feature) -> Result<()>,
) -> Result<Vec<JsonObject>> {
    let mut state = State {
        each: &mut each,
        number: 0,
        failed: None,
    };
    let mut tops = Vec::new();
    loop {
        if !skip_whitespace(&mut reader).map_err(|e| Error::io(path, e))? {
            break;
        }
        let mut de = serde_json::Deserializer::from_reader(&mut reader);
        let top = TopSeed { state: &mut state }.deserialize(&mut de);
        if let Some(e) = state.failed.take() {
            return Err(e);
        }
        tops.push(top.map_err(|e| Error::format(path, describe(&e)))?);
    }
    if tops.is_empty() {
        return Err(Error::format(
            path,
            "empty file: expected a GeoJSON FeatureCollection",
        ));
    }
    Ok(tops)
}

/// Skips whitespace; false at the end of the input.
fn skip_whitespace(r: &mut impl BufRead) -> std::io::Result<bool> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let more = n < buf.len();
        r.consume(n);
        if more {
            return Ok(true);
        }
    }
}

fn describe(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => format!(
            "not a GeoJSON file: invalid JSON at line {}, column {} ({})",
            e.line(),
            e.column(),
            strip_position(e)
        ),
        Category::Data => format!("not a GeoJSON file: {}", strip_position(e)),
        Category::Io => format!("cannot be read: {}", strip_position(e)),
    }
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(k) => s[..k].to_string(),
        None => s,
    }
}

struct State<'f> {
    each: &'f mut dyn FnMut(u64, Feature) -> Result<()>,
    number: u64,
    failed: Option<Error>,
}

impl State<'_> {
    fn feature(&mut self, v: JsonValue) -> std::result::Result<(), String> {
        self.number += 1;
        let n = self.number;
        match v.get("type").and_then(JsonValue::as_str) {
            Some("Feature") => {}
            Some(t) => return Err(format!("feature {n} has type `{t}`, expected `Feature`")),
            None if v.is_object() => {
                return Err(format!(
                    "feature {n} is not a GeoJSON Feature (the object has no `type` member)"
                ))
            }
            None => {
                return Err(format!(
                    "feature {n} is `{v}`, not a GeoJSON Feature object"
                ))
            }
        }
        let feature = serde_json::from_value::<Feature>(v).map_err(|e| {
            let why = e
                .to_string()
                .replace("struct DeserializeFeatureHelper", "a Feature");
            format!("feature {n}: {why}")
        })?;
        (self.each)(n, feature).map_err(|e| {
            self.failed = Some(e);
            String::new()
        })
    }
}

struct TopSeed<'s, 'f> {
    state: &'s mut State<'f>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = JsonObject;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<JsonObject, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = JsonObject;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object {\"type\": \"FeatureCollection\", \"features\": [...]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<JsonObject, A::Error> {
        let mut kind: Option<String> = None;
        let mut saw_features = false;
        let mut rest = JsonObject::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "features" => {
                    map.next_value_seed(FeaturesSeed {
                        state: &mut *self.state,
                    })?;
                    saw_features = true;
                }
                "type" => kind = Some(map.next_value::<String>()?),
                _ => {
                    rest.insert(key, map.next_value::<JsonValue>()?);
                }
            }
        }
        match kind.as_deref() {
            Some("FeatureCollection") if saw_features => Ok(rest),
            Some("FeatureCollection") => Err(A::Error::custom(
                "a FeatureCollection without a `features` array",
            )),
            Some("Feature") if !saw_features => {
                let mut one = rest.clone();
                one.insert("type".into(), "Feature".into());
                self.state
                    .feature(JsonValue::Object(one))
                    .map_err(A::Error::custom)?;
                rest.retain(|k, _| !matches!(k.as_str(), "geometry" | "properties" | "id"));
                Ok(rest)
            }
            Some(
                g @ ("Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon"
                | "MultiPolygon" | "GeometryCollection"),
            ) => Err(A::Error::custom(format!(
                "a bare {g} geometry, not a Feature or FeatureCollection: wrap it in a Feature (QGIS Export > Save Features As writes one)"
            ))),
            Some(other) => Err(A::Error::custom(format!(
                "an object of type `{other}`, expected a FeatureCollection or a Feature"
            ))),
            None => Err(A::Error::custom(
                "an object without a `type` member, expected a FeatureCollection or a Feature",
            )),
        }
    }
}

struct FeaturesSeed<'s, 'f> {
    state: &'s mut State<'f>,
}

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`features`: an array of Feature objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(v) = seq.next_element::<JsonValue>()? {
            self.state.feature(v).map_err(A::Error::custom)?;
        }
        Ok(())
    }
}
