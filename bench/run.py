"""kpireport benchmark: `make bench` (or `python bench/run.py --help`).

Generates workbooks of 50, 200 and 1,000 KPIs x 24 months and one of 20,000 x 36, then prints
one table measured in one run on this machine:

- per stage, in a fresh process each time (import, read, metrics, findings, HTML, PDF): wall
  time and the process's peak memory after the stage;
- end to end, `kpireport build --format pdf,html,json` as a whole process: median wall time,
  peak memory, pages and PDF size;
- the floors beside them: inflating the workbook's zip (what any reader must at least do) and,
  when `soffice` is installed, LibreOffice's headless convert-to-pdf of the same workbook;
- batch: 20 workbooks of 50 KPIs with --jobs 2 against 20 single runs.

Ratios are computed within the run, so a noisy machine affects both sides alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
DEPARTMENTS = ["Marketing", "Sales", "Customer Success", "HR", "Finance", "Operations", "R&D", "Support"]
DEPARTMENTS_JA = ["マーケティング", "営業", "カスタマーサクセス", "人事", "経理", "業務", "研究開発", "サポート"]

STAGES = r"""
import json, resource, sys, time
from pathlib import Path
marks = []
def mark(name, start):
    marks.append((name, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
path, out = Path(sys.argv[1]), Path(sys.argv[2])
t = time.perf_counter()
import kpireport.reading.workbook, kpireport.computing.report
import kpireport.presenting.finished, kpireport.presenting.pack_html
from kpireport.presenting import engine
engine.load()
mark("import", t)
t = time.perf_counter(); book = kpireport.reading.workbook.read_workbook(path); mark("read", t)
from kpireport.computing.metrics import evaluate_kpi
t = time.perf_counter()
month = kpireport.computing.report.choose_month(book, None)
results = [evaluate_kpi(k, book.target_series(k.id), book.actual_series(k.id), book.settings, month) for k in book.kpis]
mark("metrics", t)
t = time.perf_counter(); report = kpireport.computing.report.build_report(book); mark("findings", t)
t = time.perf_counter()
html = kpireport.presenting.pack_html.render_html(kpireport.presenting.finished.finish(report).view)
mark("html", t)
t = time.perf_counter(); pdf = kpireport.presenting.pack_html.render_pdf(html); out.write_bytes(pdf); mark("pdf", t)
print(json.dumps(marks))
"""

# The read test and its floor are timed as whole processes, as a user meets them: Python's
# start-up and imports count on both sides.
READ = r"""
import sys
from pathlib import Path
import kpireport.reading.workbook
kpireport.reading.workbook.read_workbook(Path(sys.argv[1]))
"""

# The driver trees' own share of `check`, in process: the noise of whole processes on a shared
# 2-core machine (±9% run to run) is larger than the 5% budget being checked.
DRIVER_SHARE = r"""
import json, statistics, sys, time
from pathlib import Path
from kpireport.computing.drivers import analyse
from kpireport.model import Direction
from kpireport.computing.report import build_report, choose_month
from kpireport.reading.workbook import read_workbook
book = read_workbook(Path(sys.argv[1]))
month = choose_month(book, None, design_review=True)
start = book.settings.fiscal_year_of(month)
def trees():
    for k in book.kgis:
        if k.formula is not None:
            analyse(k, k.formula, k.start or start, month, book.targets, book.actuals, Direction.HIGHER)
def timed(work):
    times = []
    for _ in range(7):
        t = time.perf_counter(); work(); times.append(time.perf_counter() - t)
    return statistics.median(times)
print(json.dumps({"trees": timed(trees), "report": timed(lambda: build_report(book, design_review=True))}))
"""

INFLATE = r"""
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        with z.open(info) as part:
            while part.read(1 << 20):
                pass
"""


def month_headers(count: int, start: tuple[int, int] = (2025, 4)) -> list[str]:
    year, month = start
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def generate(
    path: Path, kpis: int, months: int, lang: str = "en", driver_kgis: int = 0, formulas: bool = False
) -> Path:
    """Write the workbook below in a child process, so this process stays small (see
    ``run_process``)."""
    if not path.exists():
        args = [str(path), str(kpis), str(months), lang, str(driver_kgis), str(int(formulas))]
        subprocess.run([sys.executable, __file__, "--generate", *args], check=True)
    return path


def target(kpi: int, month: int) -> float:
    """KPI ``kpi``'s target in the workbook's month ``month`` (0 = its first)."""
    base = 0.25 if kpi % 3 == 2 else 100.0 * (1 + kpi % 50)
    return round(base * (1 + 0.01 * month), 4)


def driver_value(values: list[float]) -> float:
    """:func:`driver_formula` of five values."""
    return values[0] * values[1] * values[2] + values[3] / values[4]


def driver_formula(first: int) -> str:
    """Five drivers, as a sales tree has them: deals x win rate x deal size, plus renewals / churn."""
    ids = [f"[K{first + i:05d}]" for i in range(5)]
    return f"{ids[0]} * {ids[1]} * {ids[2]} + {ids[3]} / {ids[4]}"


def write_workbook(
    path: Path, kpis: int, months: int, lang: str = "en", driver_kgis: int = 0, formulas: bool = False
) -> Path:
    """A template-v1 workbook with ``kpis`` KPIs over ``months`` months (all but the last 5
    filled); with ``lang="ja"``, the same in Japanese (names, departments, locale). With
    ``driver_kgis``, that many more KGIs, each with a formula over five KPIs when ``formulas``
    (without, the same KGIs with the formula cell empty: the two compare the bridge's cost)."""
    if path.exists():
        return path
    ja = lang == "ja"
    rng = random.Random(kpis * 1000 + months)
    headers = month_headers(months)
    filled = months - 5
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    settings = book.create_sheet("Settings")
    company = f"ベンチ{kpis}株式会社" if ja else f"Bench {kpis} Co."
    for row in (["key", "value"], ["company", company], ["fiscal_year_start", 4], ["locale", lang]):
        settings.append(row)
    kgi = book.create_sheet("KGI")
    kgi.append(["id", "name", "target", "unit", "deadline", "measured_by", "owner", "start", "formula"])
    kgi.append(["G1", "売上高" if ja else "Revenue", 1_000_000.0 * kpis, "currency", dt.date(2027, 3, 31), "K00000",
                "社長" if ja else "CEO"])  # fmt: skip
    for n in range(driver_kgis):
        # The goal its drivers' targets add up to over the fiscal year from 2026-04 (months 12
        # to 23), so the bench measures the bridge, not the printing of DRIVER findings.
        goal = sum(driver_value([target(1 + n * 5 + i, m) for i in range(5)]) for m in range(12, 24))
        kgi.append([f"D{n + 1}", f"Driver goal {n + 1}", goal, "currency", dt.date(2027, 3, 31), None, "CFO",
                    None, driver_formula(1 + n * 5) if formulas else None])  # fmt: skip
    kpi = book.create_sheet("KPI")
    kpi.append(["id", "name", "department", "kgi", "perspective", "unit", "direction", "aggregation", "kind", "owner"])
    units = ["number", "currency", "percent"]
    noun = {"number": "件数", "currency": "売上", "percent": "率"} if ja else {
        "number": "count", "currency": "revenue", "percent": "rate"}  # fmt: skip
    departments = DEPARTMENTS_JA if ja else DEPARTMENTS
    perspectives = ["financial", "customer", "process", "learning"]
    for i in range(kpis):
        unit = units[i % 3]
        direction = "lower" if i % 7 == 0 else "higher"
        aggregation = "average" if unit == "percent" else "sum"
        department = departments[i % len(departments)]
        name = f"ベンチ指標 {i} {noun[unit]}" if ja else f"Bench KPI {i} {noun[unit]}"
        kpi.append([f"K{i:05d}", name, department, "G1", perspectives[i % 4], unit,
                    direction, aggregation, "kpi", "担当者" if ja else "Owner"])  # fmt: skip
    targets, actuals = book.create_sheet("Targets"), book.create_sheet("Actuals")
    targets.append(["id", *headers])
    actuals.append(["id", *headers[:filled]])
    for i in range(kpis):
        base = 0.25 if i % 3 == 2 else 100.0 * (1 + i % 50)
        targets.append([f"K{i:05d}", *(target(i, m) for m in range(months))])
        actuals.append([f"K{i:05d}", *(round(base * rng.uniform(0.8, 1.15), 4) for _ in range(filled))])
    book.save(path)
    return path


def run_process(args: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of one whole process.

    Linux folds the parent's peak memory into a child's at exec, so a child's reported peak
    is at least this process's own: hence workbooks are generated and PDFs read in child
    processes, and this one stays far below anything it measures.

    Output goes to files, not pipes: wait4 (for the child's own peak memory) must not wait on
    a child blocked writing into a full pipe."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(args, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if process.returncode not in (0, 1):  # check exits 1 when it finds errors
        raise RuntimeError(f"{' '.join(args[:4])}… failed ({process.returncode}): {stderr[-500:]}")
    return elapsed, usage.ru_maxrss / 1024, stdout


def kpireport_bin() -> str:
    return str(Path(sys.executable).with_name("kpireport"))


def median_run(args: list[str], runs: int, cwd: Path | None = None) -> tuple[float, float]:
    times, peaks = [], []
    for _ in range(runs):
        elapsed, peak, _ = run_process(args, cwd)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


PDF_FACTS = r"""
import json, sys
from pypdf import PdfReader
reader = PdfReader(sys.argv[1])
fonts = set()
for page in reader.pages:
    resources = page.get("/Resources") or {}
    for font in (resources.get("/Font") or {}).values():
        fonts.add(str(font.get_object().get("/BaseFont", "?")).lstrip("/"))
print(json.dumps({"pages": len(reader.pages), "fonts": sorted(fonts)}))
"""


def pdf_facts(path: Path) -> dict[str, Any]:
    """Pages and embedded font names ("ABCDEF+Name" for a subset), read in a child process."""
    facts: dict[str, Any] = json.loads(run_process([sys.executable, "-c", PDF_FACTS, str(path)])[2])
    return facts


def bench_pack(workbook: Path, runs: int, soffice: str | None, out: Path) -> dict[str, object]:
    row: dict[str, object] = {"workbook": workbook.name}
    out.mkdir(parents=True, exist_ok=True)
    _, _, marks = run_process([sys.executable, "-c", STAGES, str(workbook), str(out / "stages.pdf")])
    row["stages"] = json.loads(marks)
    build_out = out / "build"
    build = [kpireport_bin(), "build", str(workbook), "-o", str(build_out)]
    with tempfile.TemporaryDirectory() as profile:
        office = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                  "--outdir", str(out / "soffice"), str(workbook)] if soffice else None  # fmt: skip
        if office:
            run_process(office)  # the first start creates LibreOffice's profile; not timed
        # kpireport and LibreOffice take turns, run by run, so that the machine's noise (it is
        # shared) weighs on both sides of the ratio alike.
        ours, theirs, peaks = [], [], []
        for _ in range(runs):
            seconds, peak, _ = run_process(build)
            ours.append(seconds)
            peaks.append(peak)
            if office:
                theirs.append(run_process(office)[0])
    row["e2e"] = (statistics.median(ours), max(peaks))
    if theirs:
        row["soffice"] = (statistics.median(theirs), 0.0)
        row["ratios"] = sorted(a / b for a, b in zip(ours, theirs, strict=True))
    pdf = next(build_out.glob("*.pdf"))
    row["pages"], row["pdf_bytes"] = pdf_facts(pdf)["pages"], pdf.stat().st_size
    row["json_only"] = median_run(
        [kpireport_bin(), "build", str(workbook), "-o", str(build_out), "--format", "json"], runs
    )
    row["check"] = median_run([kpireport_bin(), "check", str(workbook)], runs)
    # The board formats against the PDF alone, whole processes, in the same run.
    for formats in ("pdf", "pptx", "xlsx", "pptx,xlsx"):
        row[f"only:{formats}"] = median_run(
            [kpireport_bin(), "build", str(workbook), "-o", str(out / formats.replace(",", "-")), "--format", formats],
            runs,
        )
    row["inflate"] = median_run([sys.executable, "-c", INFLATE, str(workbook)], runs)
    return row


def bench_batch(workbook: Path, count: int, out: Path) -> dict[str, float]:
    folder = out / "batch"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        shutil.copy(workbook, folder / f"unit-{i:02d}.xlsx")
    start = time.perf_counter()
    for i in range(count):
        run_process([kpireport_bin(), "build", str(folder / f"unit-{i:02d}.xlsx"), "-o", str(out / "single")])
    singles = time.perf_counter() - start
    pooled, _, _ = run_process([kpireport_bin(), "build", str(folder), "-o", str(out / "pooled"), "--jobs", "2"])
    return {"singles": singles, "pooled": pooled}


def ratio_text(ratios: list[float] | None) -> str:
    """The median of the run-by-run ratios, with their range."""
    if not ratios:
        return "–"
    return f"{statistics.median(ratios):.2f}× ({ratios[0]:.2f}–{ratios[-1]:.2f})"


def fmt_row(cells: list[str], widths: list[int]) -> str:
    return (
        "| "
        + " | ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        + " |"
    )


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    lines = [fmt_row(headers, widths), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    return "\n".join([*lines, *(fmt_row(r, widths) for r in rows)])


def main() -> None:
    if sys.argv[1:2] == ["--generate"]:
        path, kpis, months, lang, driver_kgis, formulas = sys.argv[2:8]
        write_workbook(Path(path), int(kpis), int(months), lang, int(driver_kgis), formulas == "1")
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,200,1000", help="KPI counts for 24-month packs (comma-separated)")
    parser.add_argument("--large", type=int, default=20_000, help="KPIs in the 36-month read test (0 to skip)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--batch", type=int, default=20, help="workbooks in the batch test (0 to skip)")
    parser.add_argument(
        "--drivers",
        type=int,
        default=20,
        help="KGIs with a 5-driver formula in the check test (0 to skip)",
    )
    parser.add_argument("--drivers-kpis", type=int, default=1000, help="KPIs of the workbook in that test")
    parser.add_argument("--no-soffice", action="store_true", help="skip LibreOffice even when installed")
    parser.add_argument("--write", type=Path, help="also write the results as Markdown to this file")
    parser.add_argument(
        "--work", type=Path, default=WORK, help="folder for the generated workbooks (kept between runs)"
    )
    args = parser.parse_args()

    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    soffice = None if args.no_soffice else shutil.which("soffice")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    out = Path(tempfile.mkdtemp(prefix="kpireport-bench-"))
    rows = []
    for size in sizes:
        workbook = generate(work / f"kpis-{size}x24.xlsx", size, 24)
        rows.append((size, bench_pack(workbook, args.runs, soffice, out / str(size))))
        print(f"measured {size} KPIs", file=sys.stderr)

    stage_names = ["import", "read", "metrics", "findings", "html", "pdf"]
    head = ["KPIs", *(f"{s} s / MiB" for s in stage_names)]
    stage_rows = []
    for size, row in rows:
        marks = {name: (seconds, peak) for name, seconds, peak in row["stages"]}  # type: ignore[union-attr]
        stage_rows.append([str(size), *(f"{marks[s][0]:.3f} / {marks[s][1]:.0f}" for s in stage_names)])
    e2e_head = ["KPIs", "end to end s", "peak MiB", "s per KPI", "pages", "PDF KiB", "json-only s", "check s",
                "inflate s", "LibreOffice s", "÷ LibreOffice (range)"]  # fmt: skip
    e2e_rows = []
    for size, row in rows:
        e2e, peak = row["e2e"]  # type: ignore[misc]
        soffice_s = row.get("soffice", (None, None))[0]  # type: ignore[index]
        e2e_rows.append([
            str(size), f"{e2e:.2f}", f"{peak:.0f}", f"{e2e / size * 1000:.1f} ms", str(row["pages"]),
            f"{row['pdf_bytes'] / 1024:.0f}", f"{row['json_only'][0]:.2f}", f"{row['check'][0]:.2f}",  # type: ignore[index,operator]
            f"{row['inflate'][0]:.3f}", f"{soffice_s:.2f}" if soffice_s else "not installed",  # type: ignore[index]
            ratio_text(row.get("ratios")),  # type: ignore[arg-type]
        ])  # fmt: skip
    tables = [
        "",
        "Stages, each in a fresh process (time / peak memory of the process after the stage):",
        "",
        table(head, stage_rows),
        "",
        "Whole process, `kpireport build --format pdf,html,json`:",
        "",
        table(e2e_head, e2e_rows),
    ]
    board_head = ["KPIs", "pdf alone s / MiB", "pptx s / MiB", "xlsx s / MiB", "pptx + xlsx s / MiB",
                  "pptx + xlsx ÷ pdf"]  # fmt: skip
    board_rows = []
    for size, row in rows:
        only = {k.split(":", 1)[1]: v for k, v in row.items() if k.startswith("only:")}
        board_rows.append([
            str(size), *(f"{only[f][0]:.2f} / {only[f][1]:.0f}" for f in ("pdf", "pptx", "xlsx", "pptx,xlsx")),  # type: ignore[index]
            f"{only['pptx,xlsx'][0] / only['pdf'][0]:.2f}×",  # type: ignore[index]
        ])  # fmt: skip
    tables += [
        "",
        "The board formats, whole process, `build --format` of each alone:",
        "",
        table(board_head, board_rows),
    ]
    report = [
        f"Machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"{platform.platform()} · {dt.datetime.now():%Y-%m-%d %H:%M} · median of {args.runs} runs",
        *(tables if rows else []),
    ]
    if sizes:
        size = sizes[0]
        workbook = generate(work / f"kpis-{size}x24-ja.xlsx", size, 24, lang="ja")
        build_out = out / "ja"
        seconds, peak = median_run([kpireport_bin(), "build", str(workbook), "-o", str(build_out)], args.runs)
        pdf = next(build_out.glob("*.pdf"))
        facts = pdf_facts(pdf)
        fonts = facts["fonts"]
        subset = all(len(f) > 7 and f[6] == "+" for f in fonts)
        report += ["", f"Japanese pack, {size} KPIs: {seconds:.2f} s end to end, peak {peak:.0f} MiB, "
                   f"{facts['pages']} pages, PDF {pdf.stat().st_size / 1024:.0f} KiB; fonts "
                   f"{', '.join(sorted(fonts))} ({'all subset' if subset else 'NOT all subset'})."]  # fmt: skip
    if args.large:
        large = generate(work / f"kpis-{args.large}x36.xlsx", args.large, 36)
        read_s, read_peak = median_run([sys.executable, "-c", READ, str(large)], args.runs)
        inflate_s, _ = median_run([sys.executable, "-c", INFLATE, str(large)], args.runs)
        report += ["", f"Reading {args.large:,} KPIs × 36 months ({large.stat().st_size / 1e6:.1f} MB), whole "
                   f"process: {read_s:.2f} s, peak {read_peak:.0f} MiB; inflating its zip, whole process: "
                   f"{inflate_s:.3f} s → {read_s / inflate_s:.1f}× the floor."]  # fmt: skip
    if args.drivers:
        size, count = args.drivers_kpis, args.drivers
        plain = generate(work / f"kpis-{size}x24-kgis{count}.xlsx", size, 24, "en", count, False)
        trees = generate(work / f"kpis-{size}x24-kgis{count}-formulas.xlsx", size, 24, "en", count, True)
        without, with_trees = [], []
        for _ in range(args.runs * 2):  # interleaved, so the machine's noise weighs on both alike
            without.append(run_process([kpireport_bin(), "check", str(plain)])[0])
            with_trees.append(run_process([kpireport_bin(), "check", str(trees)])[0])
        a, b = statistics.median(without), statistics.median(with_trees)
        pairs = sorted(y / x for x, y in zip(without, with_trees, strict=True))
        share = json.loads(run_process([sys.executable, "-c", DRIVER_SHARE, str(trees)])[2])
        report += ["", f"`check` of {size:,} KPIs and {count} KGIs, whole process: without formulas {a:.3f} s, "
                   f"with a 5-driver formula each {b:.3f} s (pairs {pairs[0]:.2f}–{pairs[-1]:.2f}×, median "
                   f"{statistics.median(pairs):.2f}×). In process: the {args.drivers} implied targets and bridges "
                   f"take {share['trees'] * 1000:.1f} ms, {share['trees'] / a * 100:.1f}% of that `check` "
                   f"(the report alone {share['report']:.3f} s)."]  # fmt: skip
    if args.batch:
        batch = bench_batch(work / f"kpis-{sizes[0]}x24.xlsx", args.batch, out)
        ratio = batch["pooled"] / batch["singles"]
        report += ["", f"Batch of {args.batch} × {sizes[0]} KPIs: {args.batch} single runs {batch['singles']:.1f} s; "
                   f"--jobs 2 {batch['pooled']:.1f} s → {ratio:.2f}× the single runs."]  # fmt: skip
    text = "\n".join(report)
    print(text)
    if args.write:
        args.write.write_text("# Benchmark results\n\n" + text + "\n", encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
