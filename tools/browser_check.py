#!/usr/bin/env python3
"""Checks pictures in a real browser: renders each SVG map inline in headless Chromium and
measures, with the browser's own font metrics, whether any two province labels overlap or
a label covers another province's marker; also that the page fetched nothing and how long
it took to lay out.

    python3 tools/browser_check.py map.svg [more.svg ...]   # exit 1 if a check fails

Needs Debian's chromium (and fonts-noto-cjk for the Chinese names); CI installs both.
"""

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


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium not found (apt-get install chromium fonts-noto-cjk)", file=sys.stderr)
        return 2
    failed = False
    for path in sys.argv[1:]:
        r = check(path, chromium)
        ok = not r["overlaps"] and not r["covers"] and not r["fetched"] and r["provinces"] > 0
        failed |= not ok
        print(f"{path}: {r['provinces']} provinces, {r['labels']} labels, {len(r['overlaps'])} overlapping, "
              f"{len(r['covers'])} covering a marker, {len(r['fetched'])} fetched, layout {r['layout_ms']:.0f} ms"
              f" — {'ok' if ok else 'FAIL'}")
        for x in r["overlaps"][:10] + r["covers"][:10] + r["fetched"][:10]:
            print(f"  {x}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
