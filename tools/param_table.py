#!/usr/bin/env python3
"""Rewrites the parameter tables of docs/rules.md from the table in
crates/tianxia-engine/src/params.rs (name, default, unit, meaning, by section), so the
reference says what the code says. `crates/tianxia-engine/tests/docs.rs` checks it.

    python3 tools/param_table.py
"""
import re
from pathlib import Path

root = Path(__file__).resolve().parent.parent
src = (root / "crates/tianxia-engine/src/params.rs").read_text()
body = src[src.index("params! {") :]
sections, doc = [], None
for line in body.splitlines():
    line = line.strip()
    if m := re.match(r"// --- (.+) ---", line):
        sections.append((m.group(1), []))
    elif line.startswith("///"):
        doc = line[3:].strip()
    elif m := re.match(r'(\w+): ([-0-9.e_]+), "([^"]*)";', line):
        sections[-1][1].append((m.group(1), m.group(2), m.group(3), doc))
        doc = None

titles = {"diplomacy and trespass": "Diplomacy and trespass", "ai": "AI"}
out = []
for name, rows in sections:
    out.append(f"### {titles.get(name, name[0].upper() + name[1:])}\n")
    out.append("| name | default | unit | meaning |")
    out.append("|---|---|---|---|")
    for n, d, u, m in rows:
        out.append(f"| `{n}` | {d.replace('_', ',')} | {u} | {m} |")
    out.append("")

path = root / "docs/rules.md"
text = path.read_text()
start = text.index("### Movement\n", text.index("## Parameter table"))
end = text.index("## Known limitations")
path.write_text(text[:start] + "\n".join(out) + "\n" + text[end:])
