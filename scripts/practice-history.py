#!/usr/bin/env python3
"""Builds data/curated/practice-history.csv: where earlier dated copies of official practice
lists place a practice before the day the December 2019 practice file says it joined its CCG.

Run from the repository root with the public copies fetched locally (see data/README.md,
"practice-history.csv", for the files, their repositories and commits):

    scripts/practice-history.py \
        --epraccur FILE 'CITATION' ...        # ODS epraccur copies, any order
        --list-sizes DIR 'CITATION'           # NHS BSA Patient_List_Size_YYYY_MM-MM.csv files
        > data/curated/practice-history.csv

It reads only the bundled ODS files and the copies named; it prints what it left out (and
why) on stderr. The register applies each row only inside an unknown stretch and only where
the commissioner is a candidate there (crates/england/src/history.rs).
"""

import argparse
import csv
import datetime as dt
import glob
import os
import re
import sys

CCG_START = dt.date(2013, 4, 1)


def d8(s):
    return dt.date(int(s[:4]), int(s[4:6]), int(s[6:8]))


def read_csv(path):
    with open(path, encoding="latin1", newline="") as f:
        return list(csv.reader(f))


def epraccur_lower_bound(rows):
    """The latest day the file shows as past: an active row's opening or a closed row's
    closing. The file was extracted on or after it."""
    days = [r[10] for r in rows if r[12] == "A" and r[10]]
    days += [r[11] for r in rows if r[12] == "C" and r[11]]
    return d8(max(days))


def quarter_files(directory):
    out = []
    for path in glob.glob(os.path.join(directory, "Patient_List_Size_*.csv")):
        m = re.search(r"Patient_List_Size_(\d{4})_(\d{2})-(\d{2})\.csv$", path)
        if m:
            out.append((dt.date(int(m[1]), int(m[2]), 1), path))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--practices", default="data/ods/ods_epraccur_2019_12.csv")
    ap.add_argument("--ccgs", default="data/ods/ods_eccg_2024.csv")
    ap.add_argument("--successors", default="data/ods/ods_succ.csv")
    ap.add_argument("--epraccur", nargs=2, action="append", default=[],
                    metavar=("FILE", "CITATION"))
    ap.add_argument("--list-sizes", nargs=2, metavar=("DIR", "CITATION"))
    a = ap.parse_args()

    # Practices with an unknown stretch [start, joined) in the 2019 file.
    stretch = {}
    for line, r in enumerate(read_csv(a.practices), 1):
        if len(r) < 26 or r[25] != "4" or not r[10] or not r[15]:
            continue
        start, joined = max(d8(r[10]), CCG_START), d8(r[15])
        if joined > start:
            stretch[r[0]] = (start, joined, r[14], line)

    # CCGs (blank role, or RO319: continued as a sub-ICB location) with their lives, and the
    # codes merged into each code on each day.
    ccgs = {}
    for r in read_csv(a.ccgs):
        if len(r) > 13 and r[13] in ("", "RO319") and r[10]:
            close = d8(r[11]) + dt.timedelta(days=1) if r[11] else dt.date(2022, 7, 1)
            ccgs[r[0]] = (d8(r[10]), min(close, dt.date(2022, 7, 1)))
    preds = {}
    for r in read_csv(a.successors):
        if len(r) > 3 and r[3] and r[0] != r[1]:
            preds.setdefault((r[1], d8(r[3])), set()).add(r[0])

    def candidates(code, on):
        """Every code merged, directly or through earlier mergers, into `code` on `on`."""
        out, todo = set(), list(preds.get((code, on), ()))
        while todo:
            c = todo.pop()
            if c not in out:
                out.add(c)
                life = ccgs.get(c)
                if life:
                    todo.extend(preds.get((c, life[0]), ()))
        return out

    # Claims: practice -> list of (commissioner, from, until, evidence).
    claims = {}
    conflicts = {}
    for path, cite in a.epraccur:
        rows = read_csv(path)
        bound = epraccur_lower_bound(rows)
        print(f"{path}: extracted on or after {bound}", file=sys.stderr)
        for line, r in enumerate(rows, 1):
            s = stretch.get(r[0])
            if not s or r[25] != "4" or not r[15] or r[16]:
                continue
            start, joined, now, _ = s
            code, since = r[14], d8(r[15])
            if code == now:
                continue
            if bound >= joined:
                # Extracted after the 2019 join date, it names another commissioner then.
                conflicts.setdefault(r[0], []).append(
                    f"{cite} line {line} has {code} on or after {bound}")
                continue
            lo, hi = max(since, start), min(bound + dt.timedelta(days=1), joined)
            if lo < hi:
                claims.setdefault(r[0], []).append((code, lo, hi,
                    f"{cite} (extracted on or after {bound}) line {line}: commissioner "
                    f"{code} (column 14) since {r[15]} (column 15), no left date"))

    if a.list_sizes:
        directory, cite = a.list_sizes
        seen = {}
        for q, path in quarter_files(directory):
            rows = read_csv(path)
            header = rows[0]
            pco, prac = header.index("PCO Code"), header.index("Practice Code")
            for line, r in enumerate(rows[1:], 2):
                if r[prac] in stretch:
                    seen.setdefault(r[prac], []).append((q, r[pco], os.path.basename(path), line))
        for p, quarters in seen.items():
            start, joined, now, _ = stretch[p]
            run = []
            for q, pco, name, line in quarters:
                code = pco[:-2] if re.fullmatch(r"\d\d[A-Z]00", pco) else None
                if q + dt.timedelta(days=92) <= start:
                    continue  # a quarter before the stretch
                if code is None or code == now or q >= joined:
                    break
                if run and (code != run[0][1] or (q - run[-1][0]).days > 92):
                    break
                if not run and not (q <= start < q + dt.timedelta(days=92)):
                    break  # the run must begin in the quarter the stretch begins
                run.append((q, code, name, line))
            if not run:
                continue
            last = run[-1][0]
            hi = min(last + dt.timedelta(days=1), joined)
            lines = ", ".join(f"{n[18:28]} {l}" for _, _, n, l in run)
            claims.setdefault(p, []).append((run[0][1], start, hi,
                f"{cite}: PCO {run[0][1]}00 in every quarter from {run[0][0]} to the quarter "
                f"beginning {last} (Patient_List_Size_YYYY_MM-MM.csv lines: {lines})"))

    out, left_out = [], 0
    for p, why in sorted(conflicts.items()):
        start, joined, now, _ = stretch[p]
        print(f"{p}: joined {now} on {joined} in the 2019 file, but {'; '.join(why)}: left out",
              file=sys.stderr)
    kind = lambda c: c[3].split(",")[0]  # noqa: E731 - the kind of source
    for p, claimed in sorted(claims.items()):
        start, joined, now, line = stretch[p]
        if p in conflicts:
            left_out += 1
            continue
        cands = candidates(now, joined)
        rows = []
        for code in sorted({c[0] for c in claimed}):
            cs = [c for c in claimed if c[0] == code]
            # A claim inside another of the same kind of source adds nothing; one row where
            # the rest join up (a later claim that does not is dropped).
            cs = [c for i, c in enumerate(cs)
                  if not any(kind(o) == kind(c)
                             and (o[1] <= c[1] and c[2] <= o[2] and (o[1], o[2]) != (c[1], c[2])
                                  or ((o[1], o[2]) == (c[1], c[2]) and j > i))
                             for j, o in enumerate(cs))]
            cs.sort(key=lambda c: c[1])
            lo, end, used = cs[0][1], cs[0][2], [cs[0]]
            for c in cs[1:]:
                if c[1] <= end:
                    end = max(end, c[2])
                    used.append(c)
            rows.append((code, lo, end, used))
        # Two commissioners on the same day: the sources disagree.
        rows.sort(key=lambda r: r[1])
        if any(b[1] < a[2] for a, b in zip(rows, rows[1:])):
            spans = ", ".join(f"{c} {lo} to {end}" for c, lo, end, _ in rows)
            print(f"{p}: sources disagree ({spans}): left out", file=sys.stderr)
            left_out += 1
            continue
        kept = 0
        for code, lo, end, used in rows:
            life = ccgs.get(code)
            if not life or cands and code not in cands:
                why = "not a CCG in the ODS file" if not life else (
                    f"not among the CCGs merged into {now} on {joined} "
                    f"({', '.join(sorted(cands))})")
                print(f"{p}: the sources place it in {code} from {lo} to {end}, {why}: left out",
                      file=sys.stderr)
                continue
            if not (life[0] <= lo and end <= life[1]):
                print(f"{p}: {code} is not open from {lo} to {end}: left out", file=sys.stderr)
                continue
            evidence = "; ".join(c[3] for c in used)
            evidence += f"; ods_epraccur_2019_12.csv line {line}: joined {now} on {joined:%Y%m%d}"
            out.append([p, code, lo.isoformat(), end.isoformat(), evidence])
            kept += 1
        left_out += kept == 0

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["practice", "commissioner", "from", "until", "evidence"])
    w.writerows(out)
    print(f"{len(out)} rows; {left_out} practices with none; {len(stretch)} stretches",
          file=sys.stderr)


if __name__ == "__main__":
    main()
