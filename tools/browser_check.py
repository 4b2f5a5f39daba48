#!/usr/bin/env python3
"""Checks pictures in a real browser (headless Chromium).

Maps (.svg): rendered inline, and measured with the browser's own font metrics: no two
province labels overlap, no label covers another province's marker, nothing is fetched.

Reports (.html): loaded as they are, with a probe injected: no uncaught error or
console.error, nothing fetched, no http(s) src/href, rendered in under a second, under 2 MB,
and the contract's data attributes (DESIGN.md, "Pictures") as the run or batch says:
  - `report run`, followed by `--run SERIES.csv EVENTS.jsonl` (from `tianxia run --series
    --events` with the same flags): one province element each, one `data-army` track per army
    whose place changed, one `data-battle` mark per battle with its `data-date`, a slider that
    moves the page;
  - `report batch`, followed by `--batch DIR`: one `data-outcome` chart per outcome of
    DIR/summary.json, each with one `data-arm` per arm, in order;
  - `report odds`, followed by `--odds DIR`: the `svg[data-odds]` chart of DIR/odds.json's
    outcome with one `data-point` per point (its turn and date, in order) and one
    `data-event` mark per event (its date), and hovering a point shows its estimate.

    python3 tools/browser_check.py map.svg run.html --run s.csv e.jsonl batch.html --batch b/ \
        odds.html --odds o/ [--screenshots DIR]   # exit 1 if a check fails; PNGs into DIR

Needs Debian's chromium (and fonts-noto-cjk for the Chinese names); CI installs both.
"""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

PROBE = """
<pre id="result"></pre>
<script>
(function () {
  const t0 = performance.now();
  const svg = document.querySelector('svg[data-map]');
  const groups = [...svg.querySelectorAll('[data-province]')];
  const labels = [], markers = [];
  for (const g of groups) {
    const id = g.getAttribute('data-province');
    const t = g.querySelector('text');
    if (t) labels.push([id, t.getBBox()]);
    const c = g.querySelector('circle');
    if (c) markers.push([id, c.getBBox()]);
  }
  const hit = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const overlaps = [];
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++)
      if (hit(labels[i][1], labels[j][1])) overlaps.push(labels[i][0] + ' / ' + labels[j][0]);
  const covers = [];
  for (const [id, b] of labels)
    for (const [mid, m] of markers)
      if (mid !== id && hit(b, m)) covers.push(id + ' over ' + mid);
  const fetched = performance.getEntriesByType('resource').map(r => r.name);
  document.getElementById('result').textContent = JSON.stringify({
    provinces: groups.length, labels: labels.length, overlaps, covers, fetched,
    layout_ms: performance.now() - t0,
  });
})();
</script>
"""


def check(svg_path: str, chromium: str) -> dict:
    with open(svg_path, encoding="utf-8") as f:
        svg = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "page.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write("<!doctype html><html><head><meta charset='utf-8'></head><body>")
            f.write(svg)
            f.write(PROBE)
            f.write("</body></html>")
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", "--dump-dom", "file://" + page]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="result">(.*?)</pre>', out.stdout, re.S)
    if not m or not m.group(1).strip():
        raise SystemExit(f"{svg_path}: the browser printed no result\n{out.stderr[-2000:]}")
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))


# Injected first into a report page: collects uncaught errors and console.error calls.
CATCH = """<script>window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e)));
(function () { const err = console.error; console.error = function () { window.__errors.push([...arguments].join(' ')); err.apply(console, arguments); }; })();
</script>"""

# Injected last into a report page: what the page holds, by the contract's data attributes.
REPORT_PROBE = """
<pre id="result"></pre>
<script>
(function () {
  document.body.getBoundingClientRect();
  const map = document.querySelector('svg[data-map]');
  const outcomes = [...document.querySelectorAll('[data-outcome]')].map(f =>
    [f.getAttribute('data-outcome'), [...f.querySelectorAll('[data-arm]')].map(a => a.getAttribute('data-arm'))]);
  const battles = map ? [...map.querySelectorAll('[data-battle]')].map(b => b.getAttribute('data-date')) : [];
  const tracks = map ? [...map.querySelectorAll('[data-army]')].map(t => t.getAttribute('data-army')) : [];
  const external = [...document.querySelectorAll('[src],[href]')].map(e => e.getAttribute('src') || e.getAttribute('href'))
    .filter(u => /^https?:/.test(u));
  let slider = null;
  const s = document.getElementById('turn');
  if (s) {
    // Move the slider to the start and back: the page must follow without errors.
    s.value = 0; s.dispatchEvent(new Event('input'));
    const start = document.getElementById('when').textContent;
    s.value = s.max; s.dispatchEvent(new Event('input'));
    slider = {turns: +s.max, start, end: document.getElementById('when').textContent};
  }
  let odds = null;
  const chart = document.querySelector('svg[data-odds]');
  if (chart) {
    // Hover the first point, then the last: the readout must say each one's estimate.
    const pts = [...chart.querySelectorAll('[data-point]')], out = document.getElementById('readout');
    const hover = g => { g.dispatchEvent(new MouseEvent('mouseenter')); return out ? out.textContent : ''; };
    odds = {
      outcome: chart.getAttribute('data-outcome'),
      points: pts.map(p => [+p.getAttribute('data-turn'), p.getAttribute('data-date')]),
      events: [...chart.querySelectorAll('[data-event]')].map(e => e.getAttribute('data-date')),
      first: pts.length ? hover(pts[0]) : '', last: pts.length ? hover(pts[pts.length - 1]) : '',
      width: Math.ceil(chart.getBoundingClientRect().width),
    };
  }
  document.getElementById('result').textContent = JSON.stringify({
    provinces: map ? map.querySelectorAll('[data-province]').length : 0,
    numeric_controllers: map ? [...map.querySelectorAll('[data-controller]')].filter(g => /^\d+$/.test(g.getAttribute('data-controller'))).length : 0,
    tracks, battles, outcomes, external, slider, odds,
    errors: window.__errors,
    fetched: performance.getEntriesByType('resource').map(r => r.name),
    render_ms: performance.now(),
    height: Math.ceil(document.documentElement.scrollHeight),
  });
})();
</script>
"""


def run_browser(page: str, chromium: str, tmp: str) -> dict:
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", "--window-size=1400,1000",
           "--enable-logging=stderr", "--v=0",
           "--dump-dom", "file://" + page]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="result">(.*?)</pre>', out.stdout, re.S)
    if not m or not m.group(1).strip():
        raise SystemExit(f"{page}: the browser printed no result\n{out.stderr[-2000:]}")
    r = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    # Console errors the page's own handlers could not see (e.g. a script that did not parse).
    r["console"] = [l for l in out.stderr.splitlines() if "CONSOLE" in l and ("Uncaught" in l or "Error" in l)]
    return r


def check_report(path: str, chromium: str) -> dict:
    with open(path, encoding="utf-8") as f:
        html = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "page.html")
        head = html.find("<head>")
        body = html.rfind("</body>")
        if head < 0 or body < 0:
            raise SystemExit(f"{path}: not an HTML page with <head> and </body>")
        with open(page, "w", encoding="utf-8") as f:
            f.write(html[: head + 6] + CATCH + html[head + 6 : body] + REPORT_PROBE + html[body:])
        return run_browser(page, chromium, tmp)


def screenshot(path: str, chromium: str, out_png: str, height: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", "--hide-scrollbars",
               f"--window-size=1400,{max(600, min(height, 16000))}", f"--screenshot={out_png}",
               "file://" + os.path.abspath(path)]
        subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if not os.path.exists(out_png):
        raise SystemExit(f"{path}: no screenshot written")


def expect_run(series_csv: str) -> tuple:
    """The armies that moved (their place changed) in a run's --series file."""
    places = {}
    with open(series_csv, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["metric"] == "province":
                places.setdefault(row["entity"].removeprefix("armies."), set()).add(row["value"])
    return sorted(a for a, p in places.items() if len(p) > 1)


def expect_battles(events_jsonl: str) -> list:
    with open(events_jsonl, encoding="utf-8") as f:
        return sorted(e["date"] for e in map(json.loads, f) if e["kind"] == "battle")


def expect_batch(batch_dir: str) -> list:
    with open(os.path.join(batch_dir, "summary.json"), encoding="utf-8") as f:
        s = json.load(f)
    arms = [a["name"] for a in s["arms"]]
    return [[o, arms] for o in s["arms"][0]["outcomes"]]


def expect_odds(odds_dir: str) -> dict:
    """What an odds folder's page must draw: its outcome, its points' turns and dates, its events' dates."""
    with open(os.path.join(odds_dir, "odds.json"), encoding="utf-8") as f:
        o = json.load(f)
    return {
        "outcome": o["outcome"],
        "points": [[p["turn"], p["date"]] for p in o["points"]],
        "events": [e["date"] for e in o.get("events", [])],
    }


def main() -> int:
    args = sys.argv[1:]
    shots = None
    if "--screenshots" in args:
        i = args.index("--screenshots")
        shots = args[i + 1]
        del args[i : i + 2]
        os.makedirs(shots, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium not found (apt-get install chromium fonts-noto-cjk)", file=sys.stderr)
        return 2
    # Each file, then what it is checked against: --run SERIES.csv EVENTS.jsonl, --batch DIR, --odds DIR.
    jobs, i = [], 0
    while i < len(args):
        path, expect = args[i], None
        i += 1
        if i < len(args) and args[i] == "--run":
            expect, i = ("run", args[i + 1], args[i + 2]), i + 3
        elif i < len(args) and args[i] == "--batch":
            expect, i = ("batch", args[i + 1]), i + 2
        elif i < len(args) and args[i] == "--odds":
            expect, i = ("odds", args[i + 1]), i + 2
        jobs.append((path, expect))
    failed = False
    for path, expect in jobs:
        try:
            failed |= not check_one(path, expect, chromium, shots)
        except SystemExit as e:  # a page the browser could not run: report it, check the rest
            print(f"{path}: FAIL\n  {e}")
            failed = True
    return 1 if failed else 0


def check_one(path: str, expect, chromium: str, shots) -> bool:
    """Checks one picture, prints what it found; returns whether it passed."""
    if path.endswith(".svg"):
        r = check(path, chromium)
        ok = not r["overlaps"] and not r["covers"] and not r["fetched"] and r["provinces"] > 0
        print(f"{path}: {r['provinces']} provinces, {r['labels']} labels, {len(r['overlaps'])} overlapping, "
              f"{len(r['covers'])} covering a marker, {len(r['fetched'])} fetched, layout {r['layout_ms']:.0f} ms"
              f" — {'ok' if ok else 'FAIL'}")
        for x in r["overlaps"][:10] + r["covers"][:10] + r["fetched"][:10]:
            print(f"  {x}")
        height = 1000
    else:
        r = check_report(path, chromium)
        problems = [f"error: {e}" for e in r["errors"] + r["console"]]
        problems += [f"fetched: {u}" for u in r["fetched"] + r["external"]]
        if r["render_ms"] > 1000:
            problems.append(f"rendered in {r['render_ms']:.0f} ms, over a second")
        size = os.path.getsize(path)
        if size > 2 << 20:
            problems.append(f"{size} bytes, over 2 MB")
        if expect and expect[0] == "run":
            if r["provinces"] == 0:
                problems.append("no provinces on the map")
            want = expect_run(expect[1])
            if sorted(r["tracks"]) != want:
                problems.append(f"tracks {sorted(r['tracks'])} != armies that moved {want}")
            if sorted(r["battles"]) != expect_battles(expect[2]):
                problems.append(f"battle marks {sorted(r['battles'])} != the log's battles")
            if not r["slider"] or r["slider"]["start"] == r["slider"]["end"]:
                problems.append(f"the slider does not move the page: {r['slider']}")
            what = f"{r['provinces']} provinces, {len(r['tracks'])} tracks, {len(r['battles'])} battles"
        elif expect and expect[0] == "batch":
            want = expect_batch(expect[1])
            if r["outcomes"] != want:
                problems.append(f"charts {r['outcomes']} != outcomes × arms {want}")
            what = f"{len(r['outcomes'])} outcome charts × {len(want[0][1]) if want else 0} arms"
        elif expect and expect[0] == "odds":
            want, got = expect_odds(expect[1]), r["odds"]
            if not got:
                problems.append("no svg[data-odds] chart")
                got = {"outcome": None, "points": [], "events": [], "first": "", "last": "", "width": 0}
            if got["outcome"] != want["outcome"]:
                problems.append(f"chart of {got['outcome']!r} != odds.json's outcome {want['outcome']!r}")
            if got["points"] != want["points"]:
                problems.append(f"points {got['points'][:5]}… != odds.json's {want['points'][:5]}…")
            if sorted(got["events"]) != sorted(want["events"]):
                problems.append(f"{len(got['events'])} event marks != odds.json's {len(want['events'])} events")
            for k, end in (("first", 0), ("last", -1)):
                if want["points"] and not got[k].startswith(want["points"][end][1]):
                    problems.append(f"hovering the {k} point shows {got[k]!r}, not its estimate")
            if got["width"] <= 0:
                problems.append("the chart has no width")
            what = f"{len(got['points'])} points, {len(got['events'])} event marks"
        else:
            what = "no expectations given"
        ok = not problems
        print(f"{path}: {what}, {size // 1024} KB, rendered in {r['render_ms']:.0f} ms — {'ok' if ok else 'FAIL'}")
        for x in problems[:20]:
            print(f"  {x}")
        height = r["height"]
    if shots:
        png = os.path.join(shots, os.path.basename(path).rsplit(".", 1)[0] + ".png")
        screenshot(path, chromium, png, height)
        print(f"  screenshot {png}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
