#!/usr/bin/env python3
"""Prints the two Markdown tables of docs/scenarios.md for one batch folder: each arm's
outcomes, and each variant against the first arm (paired differences with 95% intervals).

    python3 tools/scenario_tables.py OUT_DIR

where OUT_DIR is the folder of a `tianxia batch ... --out OUT_DIR` run.
"""
import json
import sys


def num(x, sign=False):
    s = f"{abs(x):,.0f}" if abs(x) >= 100 else f"{abs(x):.3f}"
    if x < 0 and s.strip("0.,") != "":
        return "-" + s
    return ("+" if sign else "") + s


def cell(o):
    if o["kind"] == "bool":
        lo, hi = o["ci95"]
        return f"{o['p']:.2f} [{lo:.2f}, {hi:.2f}]"
    if o["kind"] == "number":
        return f"{num(o['mean'])} ({num(o['p05'])}–{num(o['p95'])})"
    freq = sorted(o["freq"].items(), key=lambda kv: -kv[1])
    return ", ".join(f"{k} {round(v * 100)}%" for k, v in freq)


def diff_cell(d):
    if d["kind"] == "category":
        k, v = max(d["freq_diff"].items(), key=lambda kv: abs(kv[1]["diff"]))
        pts = lambda x: f"{round(x * 100):+d}"
        lo, hi = v["ci95"]
        return f"{k} {pts(v['diff'])} pts [{pts(lo)}, {pts(hi)}]"
    lo, hi = d["ci95"]
    if d["kind"] == "bool":
        return f"{d['diff']:+.3f} [{lo:+.3f}, {hi:+.3f}]"
    return f"{num(d['diff'], True)} [{num(lo, True)}, {num(hi, True)}]"


def tables(summary):
    """The two Markdown tables of a batch's summary.json, as text."""
    arms = summary["arms"]
    keys = list(arms[0]["outcomes"])
    name = summary["scenario"]
    out = [f"#### {name}: {summary['runs_per_arm']} runs per arm, base seed {summary['base_seed']}", ""]
    out.append("| outcome | " + " | ".join(a["name"] for a in arms) + " |")
    out.append("|---" * (len(arms) + 1) + "|")
    for k in keys:
        out.append(f"| `{k}` | " + " | ".join(cell(a["outcomes"][k]) for a in arms) + " |")
    out += ["", "Paired differences against the baseline (same seeds), with 95% intervals:", ""]
    out.append("| outcome | " + " | ".join(a["name"] for a in arms[1:]) + " |")
    out.append("|---" * len(arms) + "|")
    for k in keys:
        out.append(f"| `{k}` | " + " | ".join(diff_cell(a["vs_first"][k]) for a in arms[1:]) + " |")
    return "\n".join(out)


def main():
    print(tables(json.load(open(f"{sys.argv[1]}/summary.json"))))


if __name__ == "__main__":
    main()
