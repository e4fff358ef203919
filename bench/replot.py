#!/usr/bin/env python3
"""Draws aupfilter-bench's thread and rule-count charts from its JSON.

The bench draws its charts itself when gnuplot is installed; a machine
measured without gnuplot (a lent server, a container) keeps only the JSON.
This redraws throughput-vs-threads.png and throughput-vs-rules.png from one
or more such files, with the same gnuplot scripts the bench writes:

    bench/replot.py --out docs/img RESULT.json [MORE.json ...]

Sections missing from every file are skipped; a later file's section
replaces an earlier one's.
"""
import argparse
import json
import os
import subprocess
import sys

TERMINAL = "set terminal pngcairo size 900,540 font 'DejaVu Sans,11'\n"


def stats(s):
    return s["median"], s["min"], s["max"]


def plot_threads(out, threads, machine):
    with open(os.path.join(out, "threads.dat"), "w") as d:
        d.write("# threads mbps_med mbps_min mbps_max\n")
        for t in threads:
            d.write("%d %.3f %.3f %.3f\n" % ((t["threads"],) + stats(t["mbps"])))
    one = threads[0]["mbps"]["median"]
    with open(os.path.join(out, "threads.gp"), "w") as g:
        g.write(TERMINAL + "set output 'throughput-vs-threads.png'\n"
                "set title 'aupf\\_scan throughput vs threads (one shared ruleset)%s'\n"
                "set xlabel 'threads'\nset ylabel 'MB/s'\nset grid\nset key left top\n"
                "set xrange [0.5:%d.5]\nset yrange [0:*]\nset xtics 1\none = %.6f\n"
                "plot 'threads.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 "
                "title 'measured (median, min-max)',\\\n"
                "     one * x with lines dt 2 lc rgb 'gray40' title 'linear from 1 thread'\n"
                % (machine, threads[-1]["threads"], one))
    return "threads"


def plot_scaling(out, scaling, machine):
    rows = scaling.get("synthetic", [])
    base = scaling.get("configured")
    if not rows:
        return None
    with open(os.path.join(out, "scaling.dat"), "w") as d:
        d.write("# rules hs_med hs_min hs_max scan_med scan_min scan_max compile_ms db_bytes\n")
        for r in rows + ([base] if base else []):
            if r is base:
                d.write("\n\n")
            d.write("%d %.3f %.3f %.3f %.3f %.3f %.3f %.1f %d\n"
                    % ((r["rules"],) + stats(r["hs_scan_mbps"]) + stats(r["aupf_scan_mbps"]) +
                       (r["compile_ms"], r["db_bytes"])))
    with open(os.path.join(out, "scaling.gp"), "w") as g:
        g.write(TERMINAL + "set output 'throughput-vs-rules.png'\n"
                "set title 'Block throughput vs rule count (one core, median, min-max)%s'\n"
                "set xlabel 'rules'\nset ylabel 'MB/s'\nset logscale xy\n"
                "set format y '%%g'\nset grid\nset key below\n"
                "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n"
                "plot 'scaling.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 "
                "title 'raw hs\\_scan, synthetic rules',\\\n"
                "     '' index 0 using 1:5:6:7 with yerrorlines lw 2 pt 5 "
                "title 'aupf\\_scan, synthetic rules'" % machine)
        if base:
            g.write(",\\\n     '' index 1 using 1:2:3:4 with yerrorbars pt 9 ps 1.8 "
                    "title 'raw hs\\_scan, configured rules',\\\n"
                    "     '' index 1 using 1:5:6:7 with yerrorbars pt 11 ps 1.8 "
                    "title 'aupf\\_scan, configured rules'")
        g.write("\n")
    return "scaling"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder for the .dat, .gp and .png files")
    ap.add_argument("json", nargs="+", help="aupfilter-bench --json results")
    a = ap.parse_args()
    merged = {}
    for path in a.json:
        with open(path) as f:
            merged.update({k: v for k, v in json.load(f).items() if v is not None})
    os.makedirs(a.out, exist_ok=True)
    # "Intel(R) Xeon(R) Processor, 16 cores online, ...": the core count
    cores = [p.split()[0] for p in str(merged.get("machine", "")).split(", ")
             if p.endswith("cores online")]
    machine = " - %s cores" % cores[0] if cores else ""
    drawn = []
    if merged.get("threads"):
        drawn.append(plot_threads(a.out, merged["threads"], machine))
    if merged.get("scaling"):
        drawn.append(plot_scaling(a.out, merged["scaling"], machine))
    status = 0
    for name in filter(None, drawn):
        if subprocess.call(["gnuplot", name + ".gp"], cwd=a.out) != 0:
            print("replot: gnuplot failed on %s.gp" % name, file=sys.stderr)
            status = 1
    if not drawn:
        print("replot: no threads or scaling section in the input", file=sys.stderr)
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
