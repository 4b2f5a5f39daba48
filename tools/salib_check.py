#!/usr/bin/env python3
"""Recomputes the Sobol indices of a `tianxia sensitivity --out DIR` folder with SALib
from DIR/samples.csv, and compares them with DIR/sensitivity.json.

    pip install SALib
    python3 tools/salib_check.py DIR

The rows of samples.csv are in SALib's order for `calc_second_order=False` (for each base
sample j: A, then AB for each factor in the order of "factors", then B), so the outcome
columns go to `SALib.analyze.sobol.analyze` as they are. Prints the largest difference
between the two sets of estimates; exits 1 if it is above 1e-9.
"""
import csv
import json
import sys

import numpy as np
from SALib.analyze import sobol


def main():
    folder = sys.argv[1]
    rows = list(csv.DictReader(open(f"{folder}/samples.csv")))
    result = json.load(open(f"{folder}/sensitivity.json"))
    factors = result["factors"]
    problem = {"num_vars": len(factors), "names": factors, "bounds": [[0, 1]] * len(factors)}
    worst = 0.0
    for name, ours in result["outcomes"].items():
        if ours["ST"][factors[0]] is None:
            continue  # the output does not vary
        y = np.array([float(r[name]) for r in rows])
        theirs = sobol.analyze(problem, y, calc_second_order=False, print_to_console=False)
        for i, f in enumerate(factors):
            worst = max(worst, abs(theirs["S1"][i] - ours["S1"][f][0]), abs(theirs["ST"][i] - ours["ST"][f][0]))
    print(f"largest |tianxia - SALib| over {len(result['outcomes'])} outputs and {len(factors)} factors: {worst:.3g}")
    sys.exit(0 if worst <= 1e-9 else 1)


if __name__ == "__main__":
    main()
