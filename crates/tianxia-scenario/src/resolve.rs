//! From a layered document to an engine [`WorldSpec`] template: parse every entry,
//! check every reference and range, and turn uncertain numbers into sampling slots.

use crate::doc::{Doc, Entry, loc, ron_problem};
use crate::error::{Code, Location, MAX_ID_BYTES, Problem, Sources, did_you_mean, shown};
use crate::raw::{self, Dist, N, Num, Sp};
use std::collections::BTreeMap;
use std::sync::Arc;
use tianxia_engine::calendar::Date;
use tianxia_engine::ids::{ArmyId, CommanderId, FactionId, ProvinceId, RouteId};
use tianxia_engine::model::army::Step;
use tianxia_engine::model::diplomacy::{Access, AccessRequest, Relation, Tribute};
use tianxia_engine::model::script::{
    Cmp, Condition, Effect, Objective, ObjectiveKind, OutcomeRule, OutcomeSpec, Quantity, ScriptedEvent,
};
use tianxia_engine::model::weather::Climate;
use tianxia_engine::params::{PARAM_DEFS, Params};
use tianxia_engine::world::spec::*;

/// Sets one sampled number into a world spec.
pub type Setter = Arc<dyn Fn(&mut WorldSpec, f64) + Send + Sync>;

/// An uncertain number: its distribution and where the sample goes.
#[derive(Clone)]
pub struct Slot {
    /// What it is, for reports (`armies.tolui_right_wing.cavalry`).
    pub path: String,
    /// The distribution.
    pub dist: Dist,
    /// Where the sample goes.
    pub set: Setter,
}

/// The kind of an outcome, as declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutcomeKind {
    /// True/false.
    Bool,
    /// A number.
    Number,
    /// A label.
    Category,
}

/// What resolving produces.
pub struct Resolved {
    /// The world with every uncertain number at its central value.
    pub template: WorldSpec,
    /// The uncertain numbers.
    pub slots: Vec<Slot>,
    /// Outcome ids and kinds, in declaration order.
    pub outcomes: Vec<(String, OutcomeKind)>,
}

/// Largest number of men, horses, people or shi accepted anywhere.
const HUGE: f64 = 1e9;
/// Latest year a date may have (the earliest is year 1).
pub const MAX_YEAR: i64 = 9999;
/// Longest term in days anywhere in a scenario: 100 years.
pub const MAX_DAYS: f64 = 36_525.0;
/// Largest magnitude of a threshold, a quantity's value or a counter step.
const HUGE_ANY: f64 = 1e15;
/// Largest magnitude of an objective's priority.
const MAX_PRIORITY: f64 = 1e6;

struct R<'s> {
    sources: &'s Sources,
    problems: Vec<Problem>,
    ids: BTreeMap<&'static str, BTreeMap<String, u32>>,
    slots: Vec<Slot>,
    /// Unknown ids met so far.
    suggested: usize,
}

/// Unknown ids that get a "did you mean" (the rest get the list of known ids).
const MAX_SUGGESTIONS: usize = 200;

fn singular(section: &str) -> &str {
    match section {
        "factions" => "faction",
        "provinces" => "province",
        "regions" => "region",
        "commanders" => "commander",
        "armies" => "army",
        "routes" => "route",
        "events" => "event",
        _ => section,
    }
}

impl<'s> R<'s> {
    fn loc<T>(&self, sp: &Sp<T>) -> Option<Location> {
        loc(self.sources, sp)
    }

    fn problem(&mut self, code: Code, msg: impl Into<String>, at: Option<Location>, help: Option<String>) {
        let mut p = Problem::new(code, msg, at);
        p.help = help;
        self.problems.push(p);
    }

    fn id(&mut self, section: &'static str, sp: &Sp<String>) -> Option<u32> {
        let table = self.ids.get(section)?;
        if let Some(i) = table.get(&sp.value) {
            return Some(*i);
        }
        if sp.value.len() > MAX_ID_BYTES {
            let at = self.loc(sp);
            let msg =
                format!("the {} id `{}` is longer than {MAX_ID_BYTES} bytes", singular(section), shown(&sp.value));
            self.problem(Code::OutOfRange, msg, at, Some("ids are short snake_case names".into()));
            return None;
        }
        // Suggestions cost a comparison with every id: only for the first few unknown ids.
        self.suggested += 1;
        let hint = (self.suggested <= MAX_SUGGESTIONS)
            .then(|| did_you_mean(&sp.value, table.keys().map(String::as_str)))
            .flatten()
            .map(|m| format!("did you mean `{m}`?"))
            .or_else(|| {
                let all: Vec<&str> = table.keys().map(String::as_str).take(12).collect();
                Some(if all.is_empty() {
                    format!("no {section} are declared")
                } else {
                    format!("known {section}: {}", all.join(", "))
                })
            });
        let at = self.loc(sp);
        self.problem(Code::UnknownId, format!("unknown {} `{}`", singular(section), sp.value), at, hint);
        None
    }

    fn faction(&mut self, sp: &Sp<String>) -> Option<FactionId> {
        self.id("factions", sp).map(FactionId)
    }
    fn province(&mut self, sp: &Sp<String>) -> Option<ProvinceId> {
        self.id("provinces", sp).map(ProvinceId)
    }
    fn army(&mut self, sp: &Sp<String>) -> Option<ArmyId> {
        self.id("armies", sp).map(ArmyId)
    }
    fn commander(&mut self, sp: &Sp<String>) -> Option<CommanderId> {
        self.id("commanders", sp).map(CommanderId)
    }
    fn region(&mut self, sp: &Sp<String>) -> Option<u16> {
        self.id("regions", sp).map(|r| r as u16)
    }

    fn date(&mut self, sp: &Sp<String>) -> Option<Date> {
        let parsed = sp.value.split('-').map(|p| p.parse::<i64>().ok()).collect::<Option<Vec<i64>>>();
        let d = match parsed.as_deref() {
            Some([y, ..]) if !(1..=MAX_YEAR).contains(y) => {
                let at = self.loc(sp);
                self.problem(
                    Code::BadDate,
                    format!("`{}`: the year {y} is out of range", sp.value),
                    at,
                    Some(format!("years go from 1 to {MAX_YEAR}")),
                );
                return None;
            }
            Some([y, m, d]) if (1..=12).contains(m) && (1..=31).contains(d) => Date::new(*y as i32, *m as u8, *d as u8),
            _ => None,
        };
        if d.is_none() {
            let at = self.loc(sp);
            self.problem(
                Code::BadDate,
                format!("`{}` is not a date", sp.value),
                at,
                Some("write dates as \"YYYY-MM-DD\", e.g. \"1232-02-08\"".into()),
            );
        }
        d
    }

    fn range(&mut self, what: &str, x: f64, min: f64, max: f64, at: Option<Location>) -> bool {
        if x.is_finite() && x >= min && x <= max {
            return true;
        }
        let got = if x.is_finite() && x.abs() >= 1e15 { format!("{x:e}") } else { format!("{x}") };
        let msg = if !x.is_finite() {
            format!("{what} must be a finite number between {min} and {max} (got {got})")
        } else if x < min && min == 0.0 {
            format!("{what} cannot be negative (got {got})")
        } else {
            format!("{what} must be between {min} and {max} (got {got})")
        };
        self.problem(Code::OutOfRange, msg, at, None);
        false
    }

    /// A plain number: checks its range; returns it.
    fn fixed(&mut self, what: &str, sp: &Sp<f64>, min: f64, max: f64) -> f64 {
        let at = self.loc(sp);
        self.range(what, sp.value, min, max, at);
        sp.value
    }

    /// A term in days: finite, not negative, at most [`MAX_DAYS`].
    /// Returns it clamped into range, so that date arithmetic on it cannot overflow even
    /// before the problem stops the load.
    fn days(&mut self, what: &str, sp: &Sp<f64>) -> f64 {
        self.fixed(what, sp, 0.0, MAX_DAYS).clamp(0.0, MAX_DAYS)
    }

    /// A number field: checks its range and, for a distribution, registers a slot.
    /// Returns the value the template carries.
    fn num(
        &mut self,
        path: String,
        n: &N,
        min: f64,
        max: f64,
        set: impl Fn(&mut WorldSpec, f64) + Send + Sync + 'static,
    ) -> f64 {
        let at = self.loc(n);
        match &n.value {
            Num::Fixed(x) => {
                self.range(&path, *x, min, max, at);
                *x
            }
            Num::Dist(d) => {
                let centre = central(d);
                let (lo, hi, ok) = match d {
                    Dist::Uniform(a, b) => (*a, *b, a <= b),
                    Dist::Triangular(a, m, b) => (*a, *b, a <= m && m <= b),
                    Dist::Normal { mean, sd, min, max } => (*min, *max, *sd >= 0.0 && min <= mean && mean <= max),
                    Dist::Choice(cs) => {
                        let lo = cs.iter().map(|c| c.0).fold(f64::INFINITY, f64::min);
                        let hi = cs.iter().map(|c| c.0).fold(f64::NEG_INFINITY, f64::max);
                        let w: f64 = cs.iter().map(|c| c.1).sum();
                        (lo, hi, !cs.is_empty() && cs.iter().all(|c| c.1 >= 0.0) && w > 0.0 && w.is_finite())
                    }
                };
                let numbers: Vec<f64> = match d {
                    Dist::Uniform(a, b) => vec![*a, *b],
                    Dist::Triangular(a, m, b) => vec![*a, *m, *b],
                    Dist::Normal { mean, sd, min, max } => vec![*mean, *sd, *min, *max],
                    Dist::Choice(cs) => cs.iter().flat_map(|c| [c.0, c.1]).collect(),
                };
                if let Some(x) = numbers.iter().find(|x| !x.is_finite()) {
                    self.problem(
                        Code::OutOfRange,
                        format!("{path}: the distribution holds {x}, which is not a finite number"),
                        at.clone(),
                        Some("every number of a distribution must be finite (no NaN or inf)".into()),
                    );
                } else if !ok {
                    self.problem(
                        Code::OutOfRange,
                        format!("{path}: the distribution is malformed"),
                        at.clone(),
                        Some("uniform(low, high) needs low <= high; triangular(min, mode, max) needs min <= mode <= max; normal needs sd >= 0 and min <= mean <= max; choice needs weights >= 0 whose (finite) sum is above 0".into()),
                    );
                } else if self.range(&format!("{path} (lowest value)"), lo, min, max, at.clone()) {
                    self.range(&format!("{path} (highest value)"), hi, min, max, at);
                }
                self.slots.push(Slot { path, dist: d.clone(), set: Arc::new(set) });
                centre
            }
        }
    }
}

/// The central value of a distribution, which the template carries: the mean of a
/// uniform, the mode of a triangular, the mean of a normal, the weighted mean of a choice
/// (its lowest value if the weights sum to 0).
pub fn central(d: &Dist) -> f64 {
    match d {
        Dist::Uniform(a, b) => (a + b) / 2.0,
        Dist::Triangular(_, m, _) => *m,
        Dist::Normal { mean, .. } => *mean,
        Dist::Choice(cs) => {
            let w: f64 = cs.iter().map(|c| c.1).sum();
            if w > 0.0 {
                cs.iter().map(|c| c.0 * c.1).sum::<f64>() / w
            } else {
                cs.iter().map(|c| c.0).fold(f64::INFINITY, f64::min)
            }
        }
    }
}

/// The highest value a number field can take.
fn highest(n: &N) -> f64 {
    match &n.value {
        Num::Fixed(x) => *x,
        Num::Dist(Dist::Uniform(_, b) | Dist::Triangular(_, _, b)) => *b,
        Num::Dist(Dist::Normal { max, .. }) => *max,
        Num::Dist(Dist::Choice(cs)) => cs.iter().map(|c| c.0).fold(f64::NEG_INFINITY, f64::max),
    }
}

fn parse_entry<T: for<'a> serde::Deserialize<'a>>(r: &mut R, section: &str, e: &Entry) -> Option<T> {
    let text = Doc::text(r.sources, e);
    match raw::options().from_str::<T>(text) {
        Ok(x) => Some(x),
        Err(err) => {
            r.problems.push(ron_problem(r.sources, text, &err, &format!("{} `{}`", singular(section), e.id)));
            None
        }
    }
}

/// Resolves a document.
pub fn resolve(doc: &Doc, sources: &Sources) -> Result<Resolved, Vec<Problem>> {
    let mut r = R { sources, problems: Vec::new(), ids: BTreeMap::new(), slots: Vec::new(), suggested: 0 };
    // Ids first, so that references may point forward.
    for (section, entries) in &doc.sections {
        let mut table = BTreeMap::new();
        for (i, e) in entries.iter().enumerate() {
            if table.insert(e.id.clone(), i as u32).is_some() {
                let at = Some(Location { source: e.source, span: e.range.start..e.range.start + 1 });
                r.problem(
                    Code::DuplicateId,
                    format!("{} `{}` is declared twice", singular(section), e.id),
                    at,
                    Some("ids must be unique within a section; rename one, or use a mod to replace the entry".into()),
                );
            }
        }
        r.ids.insert(section, table);
    }
    let empty = Vec::new();
    let entries = |s: &str| doc.sections.get(s).unwrap_or(&empty);

    // Settings.
    let s = &doc.settings;
    let start = r.date(&s.start);
    let end = r.date(&s.end);
    let turn_days = s.turn_days.value;
    let td_loc = r.loc(&s.turn_days);
    r.range("turn_days", turn_days as f64, 1.0, 365.0, td_loc);
    if let (Some(a), Some(b)) = (start, end) {
        let at = r.loc(&s.end);
        if b < a {
            r.problem(Code::BadDate, format!("the scenario ends ({b}) before it starts ({a})"), at, None);
        } else if (b.to_days() - a.to_days()) / turn_days.max(1) > 20_000 {
            r.problem(
                Code::OutOfRange,
                "the scenario would run more than 20,000 turns".to_string(),
                at,
                Some("use longer turns or a shorter span".into()),
            );
        }
    }

    // Parameters.
    let mut params = Params::default();
    let mut param_values = Vec::new();
    for (name, (src, range)) in &doc.params {
        let text = &sources.get(*src).1[range.clone()];
        let sp: Option<N> = match raw::options().from_str::<N>(text) {
            Ok(v) => Some(v),
            Err(e) => {
                r.problems.push(ron_problem(sources, text, &e, &format!("params.{name}")));
                None
            }
        };
        let Some(sp) = sp else { continue };
        if PARAM_DEFS.iter().all(|d| d.name != name) {
            let at = r.loc(&sp);
            let hint = did_you_mean(name, PARAM_DEFS.iter().map(|d| d.name)).map(|m| format!("did you mean `{m}`?"));
            r.problem(
                Code::UnknownId,
                format!("unknown parameter `{}`", shown(name)),
                at,
                hint.or(Some("see the parameter table in docs/rules.md".into())),
            );
            continue;
        }
        let key = name.clone();
        let v = r.num(format!("params.{name}"), &sp, 0.0, 1e12, move |w, v| {
            let _known = w.params.set(&key, v);
        });
        param_values.push((name.clone(), v));
    }
    for (name, v) in param_values {
        let _known = params.set(&name, v);
    }

    // Regions.
    let mut regions = Vec::new();
    for (i, e) in entries("regions").iter().enumerate() {
        let Some(x) = parse_entry::<raw::Region>(&mut r, "regions", e) else { continue };
        let climate = x.climate.as_ref().map(|c| {
            let mut table = [[0.0; 4]; 4];
            for (si, (season, sw)) in [("spring", &c.spring), ("summer", &c.summer), ("autumn", &c.autumn), ("winter", &c.winter)].into_iter().enumerate() {
                let mut sum = 0.0;
                for (wi, (wname, n)) in [("rain", &sw.rain), ("snow", &sw.snow), ("blizzard", &sw.blizzard)].into_iter().enumerate() {
                    let v = r.num(format!("regions.{}.climate.{season}.{wname}", e.id), n, 0.0, 1.0, move |w, v| {
                        if let Some(Climate { chances: c, .. }) = w.regions[i].climate.as_mut() {
                            c[si][wi + 1] = v;
                            c[si][0] = (1.0 - c[si][1] - c[si][2] - c[si][3]).max(0.0);
                        }
                    });
                    table[si][wi + 1] = v;
                    // The check takes each chance at its highest, so a distribution that can
                    // push the total above 1 is refused too.
                    sum += highest(n);
                }
                if sum > 1.0 + 1e-9 {
                    let entry_at = Location { source: e.source, span: e.range.start..e.range.start + 1 };
                    let at = [&sw.rain, &sw.snow, &sw.blizzard].iter().find_map(|n| r.loc(n)).or(Some(entry_at));
                    r.problem(Code::OutOfRange, format!("regions.{}.climate.{season}: the chances of rain, snow and blizzard can add up to {sum}, more than 1", e.id), at, Some("the check takes each chance at its highest value".into()));
                }
                table[si][0] = (1.0 - table[si][1] - table[si][2] - table[si][3]).max(0.0);
            }
            let mut wet = [false; 4];
            for s in &c.wet {
                wet[s.index()] = true;
            }
            Climate { chances: table, wet }
        });
        regions.push(RegionSpec { key: x.id.value, climate });
    }

    // Factions.
    let mut factions = Vec::new();
    let mut capitals = Vec::new();
    for (i, e) in entries("factions").iter().enumerate() {
        let Some(x) = parse_entry::<raw::Faction>(&mut r, "factions", e) else { continue };
        let id = &e.id;
        let treasury = r.num(format!("factions.{id}.treasury"), &x.treasury, 0.0, HUGE * 100.0, move |w, v| {
            w.factions[i].treasury = v
        });
        let grain =
            r.num(format!("factions.{id}.grain"), &x.grain, 0.0, HUGE * 100.0, move |w, v| w.factions[i].grain = v);
        let manpower =
            r.num(format!("factions.{id}.manpower"), &x.manpower, 0.0, HUGE, move |w, v| w.factions[i].manpower = v);
        let gac = r.num(format!("factions.{id}.grant_access_chance"), &x.grant_access_chance, 0.0, 1.0, move |w, v| {
            w.factions[i].grant_access_chance = v
        });
        let drain_men =
            r.num(format!("factions.{id}.drain.men"), &x.drain.men, 0.0, HUGE, move |w, v| w.factions[i].drain_men = v);
        let drain_grain =
            r.num(format!("factions.{id}.drain.grain"), &x.drain.grain, 0.0, HUGE * 100.0, move |w, v| {
                w.factions[i].drain_grain = v
            });
        capitals.push(x.capital.clone());
        factions.push(FactionSpec {
            key: x.id.value.clone(),
            name: x.name,
            colour: x.colour,
            capital: None,
            treasury,
            grain,
            manpower,
            cold_adapted: x.cold_adapted,
            posture: x.posture,
            trespass_policy: x.trespass,
            grant_access_chance: gac,
            sack: x.sack,
            drain_men,
            drain_grain,
        });
    }

    // Commanders.
    let mut commanders = Vec::new();
    // The faction of each commander entry, by its index among the entries (None when the
    // entry is broken or its faction unknown), so that armies check only real mismatches.
    let mut commander_faction: Vec<Option<FactionId>> = vec![None; entries("commanders").len()];
    for (i, e) in entries("commanders").iter().enumerate() {
        let Some(x) = parse_entry::<raw::Commander>(&mut r, "commanders", e) else { continue };
        commander_faction[i] = r.faction(&x.faction);
        let faction = commander_faction[i].unwrap_or(FactionId(0));
        let skill =
            r.num(format!("commanders.{}.skill", e.id), &x.skill, 0.0, 1.0, move |w, v| w.commanders[i].skill = v);
        let rivals = x.rivals.iter().filter_map(|c| r.commander(c)).collect();
        commanders.push(CommanderSpec {
            key: x.id.value,
            name: x.name,
            faction,
            skill,
            traits: x.traits.clone(),
            rivals,
        });
    }

    // Provinces.
    let mut provinces = Vec::new();
    for (i, e) in entries("provinces").iter().enumerate() {
        let Some(x) = parse_entry::<raw::Province>(&mut r, "provinces", e) else { continue };
        let id = &e.id;
        let owner = r.faction(&x.owner).unwrap_or(FactionId(0));
        let controller = x.controller.as_ref().and_then(|c| r.faction(c)).unwrap_or(owner);
        let (lat, lon) = (x.lat.value, x.lon.value);
        let (la, lo) = (r.loc(&x.lat), r.loc(&x.lon));
        r.range(&format!("provinces.{id}.lat"), lat, -90.0, 90.0, la);
        r.range(&format!("provinces.{id}.lon"), lon, -180.0, 180.0, lo);
        let fl = r.loc(&x.fort);
        r.range(&format!("provinces.{id}.fort"), x.fort.value as f64, 0.0, 5.0, fl);
        let hl = r.loc(&x.harvest_month);
        r.range(&format!("provinces.{id}.harvest_month"), x.harvest_month.value as f64, 1.0, 12.0, hl);
        let population = r.num(format!("provinces.{id}.population"), &x.population, 0.0, HUGE, move |w, v| {
            w.provinces[i].population = v
        });
        let grain =
            r.num(format!("provinces.{id}.grain"), &x.grain, 0.0, HUGE * 100.0, move |w, v| w.provinces[i].grain = v);
        let harvest = r.num(format!("provinces.{id}.harvest"), &x.harvest, 0.0, HUGE * 100.0, move |w, v| {
            w.provinces[i].harvest = v
        });
        let garrison =
            r.num(format!("provinces.{id}.garrison"), &x.garrison, 0.0, HUGE, move |w, v| w.provinces[i].garrison = v);
        let regions = x.regions.iter().filter_map(|g| r.region(g)).collect();
        let governor = x.governor.as_ref().and_then(|g| r.commander(g));
        provinces.push(ProvinceSpec {
            key: x.id.value,
            name: x.name,
            name_zh: x.zh,
            lat,
            lon,
            terrain: x.terrain,
            fort: x.fort.value.clamp(0, 5) as u8,
            population,
            grain,
            harvest,
            harvest_month: x.harvest_month.value.clamp(1, 12) as u8,
            owner,
            controller,
            regions,
            garrison,
            governor,
        });
    }
    for (f, cap) in factions.iter_mut().zip(&capitals) {
        f.capital = cap.as_ref().and_then(|c| r.province(c));
    }
    if entries("provinces").is_empty() {
        let at = r.loc(&s.id);
        r.problem(
            Code::BadWorld,
            "the scenario has no provinces",
            at,
            Some("add a `provinces: [ ... ]` section".into()),
        );
    }
    if entries("factions").is_empty() {
        let at = r.loc(&s.id);
        r.problem(Code::BadWorld, "the scenario has no factions", at, Some("add a `factions: [ ... ]` section".into()));
    }

    // Routes.
    let mut routes = Vec::new();
    for (i, e) in entries("routes").iter().enumerate() {
        let Some(x) = parse_entry::<raw::Route>(&mut r, "routes", e) else { continue };
        let (a, b) = (r.province(&x.from), r.province(&x.to));
        let km = r.num(format!("routes.{}.km", e.id), &x.km, 0.0, 5_000.0, move |w, v| w.routes[i].km = v.max(0.001));
        if km == 0.0 {
            let at = r.loc(&x.km);
            r.problem(Code::OutOfRange, format!("routes.{}.km must be more than 0 (got {km})", e.id), at, None);
        }
        if a.is_some() && a == b {
            let at = r.loc(&x.to);
            r.problem(
                Code::BadWorld,
                format!("route `{}` leads from `{}` back to itself", e.id, x.from.value),
                at,
                None,
            );
        }
        let mut closed = [false; 4];
        for s in &x.closed {
            closed[s.index()] = true;
        }
        routes.push(RouteSpec {
            a: a.unwrap_or(ProvinceId(0)),
            b: b.unwrap_or(ProvinceId(0)),
            km: km.max(0.001),
            kind: x.kind,
            closed,
        });
    }

    // Armies.
    let mut armies = Vec::new();
    for (i, e) in entries("armies").iter().enumerate() {
        let Some(x) = parse_entry::<raw::Army>(&mut r, "armies", e) else { continue };
        let id = &e.id;
        let known_faction = r.faction(&x.faction);
        let faction = known_faction.unwrap_or(FactionId(0));
        let location = r.province(&x.at).unwrap_or(ProvinceId(0));
        let named: Vec<(CommanderId, &Sp<String>)> =
            x.commanders.iter().filter_map(|c| r.commander(c).map(|id| (id, c))).collect();
        let cmds: Vec<CommanderId> = named.iter().map(|(c, _)| *c).collect();
        for (c, sp) in &named {
            if let Some(Some(cf)) = commander_faction.get(c.index())
                && Some(*cf) != known_faction
                && known_faction.is_some()
            {
                let at = r.loc(sp);
                r.problem(
                    Code::BadWorld,
                    format!("commander `{}` serves another faction than army `{id}`", sp.value),
                    at,
                    None,
                );
            }
        }
        let horses_given = x.horses.is_some();
        let cavalry = r.num(format!("armies.{id}.cavalry"), &x.cavalry, 0.0, 5e6, move |w, v| {
            let a = &mut w.armies[i];
            a.cavalry = v;
            // Without a horses field, there is one horse per horseman.
            if !horses_given {
                a.horses = v;
            }
        });
        let infantry =
            r.num(format!("armies.{id}.infantry"), &x.infantry, 0.0, 5e6, move |w, v| w.armies[i].infantry = v);
        let siege = r.num(format!("armies.{id}.siege"), &x.siege, 0.0, 1e6, move |w, v| w.armies[i].siege = v);
        let horses = match &x.horses {
            Some(h) => r.num(format!("armies.{id}.horses"), h, 0.0, 2e7, move |w, v| w.armies[i].horses = v),
            None => cavalry,
        };
        let quality = r.num(format!("armies.{id}.quality"), &x.quality, 0.05, 5.0, move |w, v| w.armies[i].quality = v);
        let morale = r.num(format!("armies.{id}.morale"), &x.morale, 0.0, 1.0, move |w, v| w.armies[i].morale = v);
        let food_days =
            r.num(format!("armies.{id}.food_days"), &x.food_days, 0.0, 3650.0, move |w, v| w.armies[i].food_days = v);
        let orders = orders(&mut r, &x.orders);
        armies.push(ArmySpec {
            key: x.id.value,
            name: x.name,
            faction,
            commanders: cmds,
            location,
            cavalry,
            infantry,
            siege,
            horses,
            quality,
            morale,
            food_days,
            orders,
            stance: x.stance,
            in_field: x.in_field,
        });
    }

    // Diplomacy.
    let mut relations = Vec::new();
    for e in entries("relations") {
        let Some(x) = parse_entry::<raw::Relation>(&mut r, "relations", e) else { continue };
        let (Some(a), Some(b)) = (r.faction(&x.a), r.faction(&x.b)) else { continue };
        let until = x.until.as_ref().and_then(|d| r.date(d));
        if x.state == raw::RelationKind::Truce && until.is_none() {
            let at = Some(Location { source: e.source, span: e.range.clone() });
            r.problem(Code::Schema, "a truce needs `until: \"YYYY-MM-DD\"`", at, None);
        }
        relations.push((a, b, relation(x.state, until.map_or(0, |d| d.to_days()))));
    }
    let mut tributes = Vec::new();
    for (i, e) in entries("tributes").iter().enumerate() {
        let Some(x) = parse_entry::<raw::Tribute>(&mut r, "tributes", e) else { continue };
        let (Some(payer), Some(payee)) = (r.faction(&x.payer), r.faction(&x.payee)) else { continue };
        let silver = r.num(format!("tributes.{}.silver", e.id), &x.silver, 0.0, HUGE * 100.0, move |w, v| {
            w.tributes[i].silver = v
        });
        let silk =
            r.num(format!("tributes.{}.silk", e.id), &x.silk, 0.0, HUGE * 100.0, move |w, v| w.tributes[i].silk = v);
        tributes.push(Tribute { payer, payee, silver, silk });
    }
    let mut access = Vec::new();
    for e in entries("access") {
        let Some(x) = parse_entry::<raw::Access>(&mut r, "access", e) else { continue };
        if let Some(a) = access_terms(&mut r, &x) {
            let until = x.until.as_ref().and_then(|d| r.date(d)).map(|d| d.to_days());
            // A term in days counts from the start of the scenario.
            let days = x.days.as_ref().map(|d| r.days(&format!("access.{}.days", e.id), d));
            let until = until.or_else(|| Some(start?.to_days() + days?.round() as i64));
            access.push(Access { until, ..a });
        }
    }
    let mut objectives = Vec::new();
    for e in entries("objectives") {
        let Some(x) = parse_entry::<raw::Objective>(&mut r, "objectives", e) else { continue };
        if let Some(o) = objective(&mut r, &x) {
            objectives.push(o);
        }
    }

    // Events.
    let mut events = Vec::new();
    for (i, e) in entries("events").iter().enumerate() {
        let Some(x) = parse_entry::<raw::Event>(&mut r, "events", e) else { continue };
        let from = x.from.as_ref().and_then(|d| r.date(d));
        let until = x.until.as_ref().and_then(|d| r.date(d));
        // `chance` is over the window, so it needs both ends; `chance_per_day` does not.
        let per_day = x.chance_per_day.is_some();
        let (field, given) = match (&x.chance, &x.chance_per_day) {
            (Some(c), Some(_)) => {
                let at = r.loc(c);
                let msg = format!("event `{}` has both `chance` and `chance_per_day`", e.id);
                r.problem(
                    Code::Schema,
                    msg,
                    at,
                    Some("keep one: `chance` over the window, or `chance_per_day`".into()),
                );
                ("chance", Some(c))
            }
            (Some(c), None) => {
                if x.from.is_none() || x.until.is_none() {
                    let at = r.loc(c);
                    let msg = format!(
                        "event `{}`: `chance` is the chance over the event's window, and the event has no `{}`",
                        e.id,
                        if x.from.is_none() { "from" } else { "until" }
                    );
                    let help = "give the window both `from` and `until`, or write `chance_per_day` instead";
                    r.problem(Code::Schema, msg, at, Some(help.into()));
                }
                ("chance", Some(c))
            }
            (None, c) => ("chance_per_day", c.as_ref()),
        };
        let chance = match given {
            Some(c) => r.num(format!("events.{}.{field}", e.id), c, 0.0, 1.0, move |w, v| {
                std::sync::Arc::make_mut(&mut w.events)[i].chance = v
            }),
            None => 1.0,
        };
        let when = condition(&mut r, &x.when);
        let effects = x
            .effects
            .iter()
            .enumerate()
            .filter_map(|(j, f)| effect(&mut r, f, EffectAt { event: i, effect: j, key: &e.id }))
            .collect();
        events.push(ScriptedEvent {
            key: x.id.value,
            text: x.text,
            from,
            until,
            when,
            chance,
            per_day,
            repeat: x.repeat,
            effects,
        });
    }

    // Outcomes.
    let mut outcomes = Vec::new();
    let mut kinds = Vec::new();
    for e in entries("outcomes") {
        let Some(x) = parse_entry::<raw::Outcome>(&mut r, "outcomes", e) else { continue };
        let (rule, kind) = match &x.kind {
            raw::OutcomeKind::Bool(c) => (OutcomeRule::Bool(condition(&mut r, c)), OutcomeKind::Bool),
            raw::OutcomeKind::Number(q) => (OutcomeRule::Number(quantity(&mut r, q)), OutcomeKind::Number),
            raw::OutcomeKind::Controller(p) => {
                (OutcomeRule::Controller(r.province(p).unwrap_or(ProvinceId(0))), OutcomeKind::Category)
            }
            raw::OutcomeKind::LargestBattleWinner { side_a, side_b, at } => (
                OutcomeRule::LargestBattleWinner {
                    side_a: side_a.iter().filter_map(|f| r.faction(f)).collect(),
                    side_b: side_b.iter().filter_map(|f| r.faction(f)).collect(),
                    at: at.as_ref().and_then(|q| r.province(q)),
                },
                OutcomeKind::Category,
            ),
            raw::OutcomeKind::LargestBattleDay { side_a, side_b, at, from } => (
                OutcomeRule::LargestBattleDay {
                    side_a: side_a.iter().filter_map(|f| r.faction(f)).collect(),
                    side_b: side_b.iter().filter_map(|f| r.faction(f)).collect(),
                    at: at.as_ref().and_then(|q| r.province(q)),
                    from: r.date(from).unwrap_or(Date { year: 1, month: 1, day: 1 }),
                },
                OutcomeKind::Number,
            ),
            raw::OutcomeKind::Cases { cases, default } => (
                OutcomeRule::Cases {
                    cases: cases.iter().map(|c| (condition(&mut r, &c.when), c.label.clone())).collect(),
                    default: default.clone(),
                },
                OutcomeKind::Category,
            ),
        };
        kinds.push((x.id.value.clone(), kind));
        outcomes.push(OutcomeSpec { key: x.id.value, description: x.description.clone(), rule });
    }
    let flags: Vec<String> = entries("flags").iter().map(|e| e.id.clone()).collect();

    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    let (Some(start), Some(end)) = (start, end) else { return Err(r.problems) };
    let template = WorldSpec {
        start,
        end,
        turn_days: turn_days.clamp(1, 365) as u32,
        params,
        regions,
        factions,
        provinces,
        routes,
        commanders,
        armies,
        relations,
        tributes,
        access,
        objectives,
        events: events.into(),
        outcomes: outcomes.into(),
        flags,
    };
    Ok(Resolved { template, slots: r.slots, outcomes: kinds })
}

fn relation(k: raw::RelationKind, until: i64) -> Relation {
    match k {
        raw::RelationKind::War => Relation::War,
        raw::RelationKind::Peace => Relation::Peace,
        raw::RelationKind::Truce => Relation::Truce { until },
        raw::RelationKind::Alliance => Relation::Alliance,
    }
}

fn orders(r: &mut R, o: &raw::Orders) -> OrdersSpec {
    match o {
        raw::Orders::Hold => OrdersSpec::Hold,
        raw::Orders::Ai => OrdersSpec::Ai,
        raw::Orders::Script(steps) => OrdersSpec::Script(
            steps
                .iter()
                .filter_map(|s| {
                    let to = r.province(&s.to);
                    let not_before = s.not_before.as_ref().and_then(|d| r.date(d));
                    let hold_until = s.hold_until.as_ref().and_then(|d| r.date(d));
                    to.map(|to| Step { to, not_before, hold_until, besiege: s.besiege })
                })
                .collect(),
        ),
    }
}

fn access_terms(r: &mut R, x: &raw::Access) -> Option<Access> {
    let grantor = r.faction(&x.grantor);
    let grantee = r.faction(&x.grantee);
    let provinces = x.provinces.iter().filter_map(|p| r.province(p)).collect();
    let routes = x.routes.iter().filter_map(|p| r.id("routes", p).map(RouteId)).collect();
    Some(Access {
        grantor: grantor?,
        grantee: grantee?,
        provinces,
        routes,
        until: None,
        grain: x.grain,
        guides: x.guides,
    })
}

fn objective(r: &mut R, x: &raw::Objective) -> Option<Objective> {
    let faction = r.faction(&x.faction);
    let kind = objective_kind(r, &x.kind);
    let armies = x.armies.iter().filter_map(|a| r.army(a)).collect();
    let priority = r.fixed("the objective's priority", &x.priority, -MAX_PRIORITY, MAX_PRIORITY);
    Some(Objective { faction: faction?, kind: kind?, priority, armies })
}

fn objective_kind(r: &mut R, k: &raw::ObjectiveKind) -> Option<ObjectiveKind> {
    match k {
        raw::ObjectiveKind::Capture(p) => r.province(p).map(ObjectiveKind::Capture),
        raw::ObjectiveKind::Defend(p) => r.province(p).map(ObjectiveKind::Defend),
        raw::ObjectiveKind::Reach(p) => r.province(p).map(ObjectiveKind::Reach),
        raw::ObjectiveKind::Intercept(a) => r.army(a).map(ObjectiveKind::Intercept),
        raw::ObjectiveKind::Raid(g) => r.region(g).map(ObjectiveKind::Raid),
    }
}

fn quantity(r: &mut R, q: &raw::Quantity) -> Quantity {
    use raw::Quantity as Q;
    let f0 = FactionId(0);
    match q {
        Q::Value(v) => Quantity::Value(r.fixed("value(...)", v, -HUGE_ANY, HUGE_ANY)),
        Q::ArmyMen(a) => Quantity::ArmyMen(r.army(a).unwrap_or(ArmyId(0))),
        Q::ArmyMenShare(a) => Quantity::ArmyMenShare(r.army(a).unwrap_or(ArmyId(0))),
        Q::FactionMen { faction, garrisons } => {
            Quantity::FactionMen { faction: r.faction(faction).unwrap_or(f0), garrisons: *garrisons }
        }
        Q::FieldLossShare(f) => Quantity::FieldLossShare(r.faction(f).unwrap_or(f0)),
        Q::Controlled { faction, region } => Quantity::Controlled {
            faction: r.faction(faction).unwrap_or(f0),
            region: region.as_ref().and_then(|g| r.region(g)),
        },
        Q::Lost { faction, region } => Quantity::Lost {
            faction: r.faction(faction).unwrap_or(f0),
            region: region.as_ref().and_then(|g| r.region(g)),
        },
        Q::Counter(c) => Quantity::Counter(c.clone()),
        Q::Treasury(f) => Quantity::Treasury(r.faction(f).unwrap_or(f0)),
        Q::Grain(f) => Quantity::Grain(r.faction(f).unwrap_or(f0)),
        Q::Garrison(p) => Quantity::Garrison(r.province(p).unwrap_or(ProvinceId(0))),
        Q::Year => Quantity::Year,
    }
}

fn condition(r: &mut R, c: &raw::Condition) -> Condition {
    use raw::Condition as C;
    let f0 = FactionId(0);
    match c {
        C::Always => Condition::True,
        C::Flag(f) => Condition::Flag(f.clone()),
        C::NotFlag(f) => Condition::Not(Box::new(Condition::Flag(f.clone()))),
        C::ArmyAt { army, province } => Condition::ArmyAt {
            army: r.army(army).unwrap_or(ArmyId(0)),
            province: r.province(province).unwrap_or(ProvinceId(0)),
        },
        C::ArmyInRegion { army, region, controller } => Condition::ArmyInRegion {
            army: r.army(army).unwrap_or(ArmyId(0)),
            region: r.region(region).unwrap_or(0),
            controller: controller.as_ref().and_then(|f| r.faction(f)),
        },
        C::ArmyAlive(a) => Condition::ArmyAlive(r.army(a).unwrap_or(ArmyId(0))),
        C::ArmyRouted(a) => Condition::ArmyRouted(r.army(a).unwrap_or(ArmyId(0))),
        C::ArmyDestroyed(a) => Condition::ArmyDestroyed(r.army(a).unwrap_or(ArmyId(0))),
        C::ArmyBesieging(a) => Condition::ArmyBesieging(r.army(a).unwrap_or(ArmyId(0))),
        C::CommanderFate { commander, fate } => {
            Condition::CommanderFate { commander: r.commander(commander).unwrap_or(CommanderId(0)), fate: *fate }
        }
        C::Controller { province, faction } => Condition::Controller {
            province: r.province(province).unwrap_or(ProvinceId(0)),
            faction: r.faction(faction).unwrap_or(f0),
        },
        C::Sacked(p) => Condition::Sacked(r.province(p).unwrap_or(ProvinceId(0))),
        C::Fought { a, b } => Condition::Fought { a: r.faction(a).unwrap_or(f0), b: r.faction(b).unwrap_or(f0) },
        C::Relation { a, b, state } => Condition::Relation {
            a: r.faction(a).unwrap_or(f0),
            b: r.faction(b).unwrap_or(f0),
            relation: relation(*state, 0),
        },
        C::Access { grantor, grantee } => {
            Condition::Access { grantor: r.faction(grantor).unwrap_or(f0), grantee: r.faction(grantee).unwrap_or(f0) }
        }
        C::Weather { region, weather: w } => Condition::Weather { region: r.region(region).unwrap_or(0), weather: *w },
        C::Above(q, v) => {
            let value = r.fixed("the threshold of above(...)", v, -HUGE_ANY, HUGE_ANY);
            Condition::Compare { quantity: quantity(r, q), cmp: Cmp::Gt, value }
        }
        C::Below(q, v) => {
            let value = r.fixed("the threshold of below(...)", v, -HUGE_ANY, HUGE_ANY);
            Condition::Compare { quantity: quantity(r, q), cmp: Cmp::Lt, value }
        }
        C::All(cs) => Condition::All(cs.iter().map(|c| condition(r, c)).collect()),
        C::Any(cs) => Condition::Any(cs.iter().map(|c| condition(r, c)).collect()),
        C::Not(c) => Condition::Not(Box::new(condition(r, c))),
    }
}

/// Where an effect stands: its event (index and id) and its place in the event's list,
/// for the effect fields that take uncertain numbers.
#[derive(Clone, Copy)]
struct EffectAt<'a> {
    event: usize,
    effect: usize,
    key: &'a str,
}

fn effect(r: &mut R, e: &raw::Effect, at: EffectAt) -> Option<Effect> {
    use raw::Effect as E;
    Some(match e {
        E::SpawnArmy(a) => Effect::SpawnArmy(r.army(a)?),
        E::Reinforce { army, cavalry, infantry, siege, horses } => {
            let cavalry = r.fixed("reinforce: cavalry", cavalry, 0.0, 5e6);
            let infantry = r.fixed("reinforce: infantry", infantry, 0.0, 5e6);
            let siege = r.fixed("reinforce: siege", siege, 0.0, 1e6);
            let horses = horses.as_ref().map_or(cavalry, |h| r.fixed("reinforce: horses", h, 0.0, 2e7));
            Effect::Reinforce { army: r.army(army)?, cavalry, infantry, siege, horses }
        }
        E::AdjustArmy { army, morale, cohesion, food } => {
            let morale = r.fixed("adjust_army: morale", morale, -1.0, 1.0);
            let cohesion = r.fixed("adjust_army: cohesion", cohesion, -1.0, 1.0);
            let food = r.fixed("adjust_army: food", food, -1e9, 1e9);
            Effect::AdjustArmy { army: r.army(army)?, morale, cohesion, food }
        }
        E::SetWeather { region, weather: w, days } => {
            let EffectAt { event, effect, key } = at;
            let path = format!("events.{key}.effects[{effect}].days");
            let days = r
                .num(path, days, 0.0, MAX_DAYS, move |w, v| {
                    if let Some(Effect::SetWeather { days, .. }) =
                        std::sync::Arc::make_mut(&mut w.events)[event].effects.get_mut(effect)
                    {
                        *days = v;
                    }
                })
                .clamp(0.0, MAX_DAYS);
            Effect::SetWeather { region: r.region(region)?, weather: *w, days }
        }
        E::SetRelation { a, b, state, truce_days } => {
            let truce_days = r.days("set_relation: truce_days", truce_days);
            Effect::SetRelation { a: r.faction(a)?, b: r.faction(b)?, relation: relation(*state, 0), truce_days }
        }
        E::DeclareWar { a, b } => {
            Effect::SetRelation { a: r.faction(a)?, b: r.faction(b)?, relation: Relation::War, truce_days: 0.0 }
        }
        E::RequestAccess { from, to, provinces, routes, days, grain, guides, on_grant, on_refuse } => {
            let days = days.as_ref().map(|d| r.days("request_access: days", d));
            let (grantee, grantor) = (r.faction(from), r.faction(to));
            let provinces = provinces.iter().filter_map(|p| r.province(p)).collect();
            let routes = routes.iter().filter_map(|p| r.id("routes", p).map(RouteId)).collect();
            Effect::RequestAccess(AccessRequest {
                terms: Access {
                    grantor: grantor?,
                    grantee: grantee?,
                    provinces,
                    routes,
                    until: None,
                    grain: *grain,
                    guides: *guides,
                },
                days,
                on_grant: on_grant.clone(),
                on_refuse: on_refuse.clone(),
            })
        }
        E::GrantAccess(x) => {
            let days = x.days.as_ref().map(|d| r.days("grant_access: days", d));
            let a = access_terms(r, x)?;
            Effect::GrantAccess { access: a, days }
        }
        E::RevokeAccess { grantor, grantee } => {
            Effect::RevokeAccess { grantor: r.faction(grantor)?, grantee: r.faction(grantee)? }
        }
        E::KillCommander { commander, cause } => {
            Effect::KillCommander { commander: r.commander(commander)?, cause: cause.clone() }
        }
        E::Appoint { army, commander, replace } => {
            let replace = match replace {
                Some(c) => Some(r.commander(c)?),
                None => None,
            };
            Effect::Appoint { army: r.army(army)?, commander: r.commander(commander)?, replace }
        }
        E::SetParam { name, value } => {
            let value = r.fixed(&format!("set_param `{}`: value", name.value), value, 0.0, 1e12);
            if PARAM_DEFS.iter().all(|d| d.name != name.value) {
                let at = r.loc(name);
                let hint = did_you_mean(&name.value, PARAM_DEFS.iter().map(|d| d.name))
                    .map(|m| format!("did you mean `{m}`?"));
                r.problem(Code::UnknownId, format!("unknown parameter `{}`", shown(&name.value)), at, hint);
                return None;
            }
            Effect::SetParam { name: name.value.clone(), value }
        }
        E::SetFlag(f) => Effect::SetFlag(f.clone()),
        E::ClearFlag(f) => Effect::ClearFlag(f.clone()),
        E::SetCounter { name, value } => Effect::SetCounter { name: name.clone(), value: quantity(r, value) },
        E::AddCounter { name, value } => {
            let value = r.fixed("add_counter: value", value, -HUGE_ANY, HUGE_ANY);
            Effect::AddCounter { name: name.clone(), value }
        }
        E::SetOrders { army, orders: o } => {
            let army = r.army(army);
            let o = orders(r, o);
            Effect::SetOrders { army: army?, orders: o }
        }
        E::Sack { army } => Effect::Sack { army: r.army(army)? },
        E::SetStance { army, stance } => Effect::SetStance { army: r.army(army)?, stance: *stance },
        E::LoseBaggage { army, share, to } => {
            let share = r.fixed("lose_baggage: share", share, 0.0, 1.0);
            let army = r.army(army);
            let to = to.as_ref().map(|t| r.army(t));
            let to = match to {
                Some(t) => Some(t?),
                None => None,
            };
            Effect::LoseBaggage { army: army?, share, to }
        }
        E::SetPolicy { faction, trespass, grant_access_chance, sack } => {
            let gac = grant_access_chance.as_ref().map(|g| r.fixed("set_policy: grant_access_chance", g, 0.0, 1.0));
            Effect::SetPolicy {
                faction: r.faction(faction)?,
                trespass: *trespass,
                grant_access_chance: gac,
                sack: *sack,
            }
        }
        E::SetController { province, faction } => {
            Effect::SetController { province: r.province(province)?, faction: r.faction(faction)? }
        }
        E::SetTribute { payer, payee, silver, silk } => {
            let silver = r.fixed("set_tribute: silver", silver, 0.0, HUGE * 100.0);
            let silk = r.fixed("set_tribute: silk", silk, 0.0, HUGE * 100.0);
            Effect::SetTribute(Tribute { payer: r.faction(payer)?, payee: r.faction(payee)?, silver, silk })
        }
        E::AddObjective(o) => Effect::AddObjective(objective(r, o)?),
        E::ClearObjectives(f) => Effect::ClearObjectives(r.faction(f)?),
        E::DropObjectives { faction, kind } => {
            Effect::DropObjectives { faction: r.faction(faction)?, kind: objective_kind(r, kind)? }
        }
        E::AdjustFaction { faction, treasury, grain, manpower } => {
            let treasury = r.fixed("adjust_faction: treasury", treasury, -HUGE * 100.0, HUGE * 100.0);
            let grain = r.fixed("adjust_faction: grain", grain, -HUGE * 100.0, HUGE * 100.0);
            let manpower = r.fixed("adjust_faction: manpower", manpower, -HUGE, HUGE);
            Effect::AdjustFaction { faction: r.faction(faction)?, treasury, grain, manpower }
        }
        E::EndRun(reason) => Effect::EndRun(reason.clone()),
    })
}
