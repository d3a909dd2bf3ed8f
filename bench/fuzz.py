"""Fuzz the workbook reader on demand (not part of the test suite): `python bench/fuzz.py`.

Hypothesis generates workbooks by mutating a small valid one: sheet XML with random cells
(references near and far, types, values, formulas, error values), rows with odd numbers,
comments, CDATA, processing instructions and DTDs; flipped or cut bytes; zip entries flagged
as encrypted or streamed. Every input must end in a Workbook or a WorkbookError (a message for
the user). Each is read in a forked child under a time limit, so a native crash or a hang is
counted too, and its input kept in the folder printed. The last line is the summary to quote.

`--target previous-pack` fuzzes instead the previous pack's JSON that `build` compares with
(SPEC §7): a valid pack of the same workbook with one field replaced by a hostile value
(huge, tiny or overflowing numbers, bad months, wrong types), a key removed, a list grown,
or its text cut or flipped. Every input must end in a pack built with its changes, or one
built with a warning that the previous pack cannot be compared.

`--target formula` fuzzes a KGI's driver formula (SPEC §3a) and the figures it is computed
from: random trees of +, -, *, / and parentheses over two KPIs and constants at the edges of a
float (1e308, 5e-324, 0), with targets and actuals at the edges of SPEC §6's range (±1e15,
1e-300, 0). Every input must end in a pack in every format but the PDF (valid JSON, no NaN or
Infinity) or one message; a goal whose implied target is null without a DRIVER finding saying
why is counted as SILENT.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import io
import json
import os
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from conftest import minimal_sheets, write_sheets  # noqa: E402

from kpireport.build import BuildOptions, build_pack  # noqa: E402
from kpireport.errors import KpiReportError, WorkbookError  # noqa: E402
from kpireport.model import Month  # noqa: E402
from kpireport.reading.workbook import read_workbook  # noqa: E402

SECONDS_PER_INPUT = 20
COLUMNS = ["A", "B", "C", "Z", "AA", "XFD", "XFE", "BXX", "a", "$A", ""]
ROWS = ["1", "2", "3", "250000", "250001", "1048576", "1048577", "0", "01", "-1", "99999999999", "x", ""]
VALUES = ["1", "-1", "1e400", "1E+15", "1e16", "NaN", "INF", "4.9E-324", "", "abc", "#DIV/0!", "<b>", "&amp;"]


def cell() -> st.SearchStrategy[str]:
    ref = st.builds(lambda c, r: f'r="{c}{r}"', st.sampled_from(COLUMNS), st.sampled_from(ROWS)) | st.just("")
    kind = st.sampled_from(["", ' t="e"', ' t="s"', ' t="str"', ' t="b"', ' t="inlineStr"', " t='e'", ' t = "n"'])
    body = st.sampled_from(["", "<f>1/0</f>", "<f/>", '<f t="shared" si="0"/>']).flatmap(
        lambda f: st.sampled_from(VALUES).map(lambda v: f + (f"<v>{v}</v>" if v else ""))
    )
    return st.builds(lambda r, k, b: f"<c {r}{k}>{b}</c>" if b else f"<c {r}{k}/>", ref, kind, body)


def row() -> st.SearchStrategy[str]:
    number = st.sampled_from(ROWS).map(lambda r: f' r="{r}"' if r else "")
    return st.builds(lambda n, cells: f"<row{n}>{''.join(cells)}</row>", number, st.lists(cell(), max_size=6))


EXTRAS = [
    "<!-- <c r='XFD1'/> -->",
    "<![CDATA[<c r='A1'/>]]>",
    "<?pi data?>",
    '<!DOCTYPE x [<!ENTITY a "b">]>',
    "<x:c xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main' r='C5'><x:v>1</x:v></x:c>",
]


@st.composite
def mutated_workbook(draw: st.DrawFn, template: bytes) -> bytes:
    parts = {info.filename: zipfile.ZipFile(io.BytesIO(template)).read(info) for info in
             zipfile.ZipFile(io.BytesIO(template)).infolist()}  # fmt: skip
    sheets = sorted(name for name in parts if name.startswith("xl/worksheets/"))
    target = draw(st.sampled_from([*sheets, "xl/workbook.xml", "[Content_Types].xml", "_rels/.rels"]))
    data = parts[target]
    mutation = draw(st.sampled_from(["rows", "extra", "flip", "cut", "zip"]))
    flags = 0
    if mutation == "rows" and b"<sheetData>" in data:
        rows = "".join(draw(st.lists(row(), max_size=5))).encode()
        data = data.replace(b"<sheetData>", b"<sheetData>" + rows, 1)
    elif mutation == "extra":
        position = draw(st.integers(0, len(data)))
        data = data[:position] + draw(st.sampled_from(EXTRAS)).encode() + data[position:]
    elif mutation == "flip" and data:
        position = draw(st.integers(0, len(data) - 1))
        data = data[:position] + bytes([draw(st.integers(0, 255))]) + data[position + 1 :]
    elif mutation == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif mutation == "zip":
        flags = draw(st.sampled_from([0x1, 0x8, 0x800]))
    parts[target] = data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == target and flags:
                info.flag_bits |= flags
            out.writestr(info, content)
    return buffer.getvalue()


# Numbers json.dumps will not write, put in the text in place of their marker.
RAW = {"@big": "9" * 400, "@huge": "1e999", "@nan": "NaN", "@inf": "-Infinity", "@long": "1" * 5000}
HOSTILE: list[Any] = [
    None, True, 0, -1, 2**63, 10**20, 1e15, -1e15, 1e16, 1e308, -1e308, 5e-324, 1e-300, "", "x", "56",
    "2026-13", "2026-00", "0000-05", "9999-12", "2026-1", " 2026-05", "2026/05", [], {}, {"x": 1}, [None],
    ["2026-13"], [1e308], ["x"], [{}], *RAW,
]  # fmt: skip


@st.composite
def mutated_pack(draw: st.DrawFn, template: dict[str, Any]) -> bytes:
    """A copy of ``template`` (a pack's JSON) with one hostile change, as bytes."""
    data = json.loads(json.dumps(template))
    places = list(_places(data))
    parent, key = draw(st.sampled_from(places))
    mutation = draw(st.sampled_from(["replace", "replace", "remove", "grow", "cut", "flip"]))
    if mutation == "replace":
        parent[key] = draw(st.sampled_from(HOSTILE) | st.floats(allow_nan=False) | st.integers())
    elif mutation == "remove" and isinstance(parent, dict):
        del parent[key]
    elif mutation == "grow" and isinstance(parent[key], list) and parent[key]:
        parent[key] = parent[key] * draw(st.integers(2, 2000))
    text = json.dumps(data)
    for marker, raw in RAW.items():
        text = text.replace(f'"{marker}"', raw)
    raw_bytes = text.encode()
    if mutation == "cut":
        raw_bytes = raw_bytes[: draw(st.integers(0, len(raw_bytes)))]
    elif mutation == "flip":
        position = draw(st.integers(0, len(raw_bytes) - 1))
        raw_bytes = raw_bytes[:position] + bytes([draw(st.integers(0, 255))]) + raw_bytes[position + 1 :]
    return raw_bytes


def _places(node: Any) -> Any:
    """Every (container, key) in a JSON value: where a mutation can go. Only the first KPI's
    and KGI's items, so the places are the fields, not hundreds of alike list entries."""
    items = node.items() if isinstance(node, dict) else enumerate(node[:2]) if isinstance(node, list) else ()
    for key, value in items:
        yield node, key
        yield from _places(value)


CONSTANTS = ["0", "1", "10", "0.5", "1e308", "1e-308", "5e-324", "1e15", "1e-300", "9e307", "1e154"]
FIGURES = [0.0, 1.0, -1.0, 1e15, -1e15, 1e-300, 5e-324, 1e8, 123.456, 1e5]


@st.composite
def formula(draw: st.DrawFn, depth: int = 0) -> str:
    """A formula over [K1] and [K2]; the reader refuses one without a KPI, with a message."""
    if depth >= 5 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(["[K1]", "[K2]", *CONSTANTS]))
    if draw(st.integers(0, 5)) == 0:
        return "-" + draw(formula(depth + 1))
    left, right = draw(formula(depth + 1)), draw(formula(depth + 1))
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({left} {op} {right})" if draw(st.booleans()) else f"{left} {op} {right}"


@st.composite
def driver_workbook(draw: st.DrawFn) -> tuple[str, dict[str, list[list[Any]]]]:
    """The minimal workbook with G1 driven by a random formula, its KPIs' figures at the edges."""
    text = draw(formula())
    sheets = minimal_sheets()
    figure = st.sampled_from(FIGURES)
    sheets["KGI"] = [
        ["id", "name", "target", "unit", "deadline", "measured_by", "owner", "start", "formula"],
        ["G1", "Revenue", draw(figure), "currency", dt.date(2027, 3, 31), draw(st.sampled_from(["K1", None])),
         "CEO", None, text],
    ]  # fmt: skip
    for name, months in (("Targets", 12), ("Actuals", 3)):
        for kpi_row in sheets[name][1:]:
            kpi_row[1:] = draw(st.lists(figure, min_size=months, max_size=months))
    return text, sheets


def in_child(work: Any) -> str:
    """The outcome of ``work()`` in a forked child: its own outcome (0 and 3), FAILED (an
    exception that is not a user message), CRASHED (killed by a signal) or HUNG."""
    child = os.fork()
    if child == 0:  # the child: exit with what happened
        code = 0
        try:
            code = work()
        except (WorkbookError, KpiReportError):
            code = 3
        except BaseException:
            traceback.print_exc(limit=4)
            code = 4
        os._exit(code)
    deadline = time.monotonic() + SECONDS_PER_INPUT
    while True:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            return "HUNG"
        time.sleep(0.002)
    if os.WIFSIGNALED(status):
        return "CRASHED"
    return {0: "0", 3: "3", 5: "5"}.get(os.WEXITSTATUS(status), "FAILED")


def read_in_child(path: Path) -> str:
    """Reading ``path``: read, refused with a message, or what went wrong."""

    def read() -> int:
        read_workbook(path)
        return 0

    outcome = in_child(read)
    return {"0": "read", "3": "refused with a message"}.get(outcome, outcome)


def compare_in_child(workbook: Path, previous: Path, out: Path) -> str:
    """Building ``workbook``'s pack against ``previous``: compared, refused with a warning, or
    what went wrong (the build itself must never fail over the previous pack)."""

    def build() -> int:
        result = build_pack(workbook, BuildOptions(out_dir=out, formats=("json", "html"), since=previous))
        refused = any("previous pack cannot be compared" in w for w in result.report.workbook.warnings)
        return 3 if refused else 0

    outcome = in_child(build)
    return {"0": "compared", "3": "refused with a warning"}.get(outcome, outcome)


def build_driver_in_child(workbook: Path, out: Path) -> str:
    """Building ``workbook``'s pack: built, refused with a message, SILENT (a null implied target
    with no DRIVER finding, or a JSON with NaN or Infinity) or what went wrong."""

    def build() -> int:
        formats = ("json", "html", "pptx", "xlsx")
        result = build_pack(workbook, BuildOptions(out_dir=out, formats=formats))
        json_path = next(p for p in result.outputs if p.suffix == ".json")

        def refuse(name: str) -> None:
            raise ValueError(f"{name} in the JSON")

        try:
            data = json.loads(json_path.read_text(encoding="utf-8"), parse_constant=refuse)
        except ValueError:
            return 5
        drivers = data["kgis"][0]["drivers"]
        told = any(f["code"] == "DRIVER" for f in data["findings"])
        return 5 if drivers is not None and drivers["implied_target"] is None and not told else 0

    outcome = in_child(build)
    return {"0": "built", "3": "refused with a message", "5": "SILENT"}.get(outcome, outcome)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=1000, help="inputs to try")
    parser.add_argument(
        "--target", choices=["workbook", "previous-pack", "formula"], default="workbook", help="what to fuzz"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kpireport-fuzz-"))
    if args.target == "previous-pack":
        fuzz_previous_pack(folder, args.examples)
    elif args.target == "formula":
        fuzz_formula(folder, args.examples)
    else:
        fuzz_workbook(folder, args.examples)


def fuzz_previous_pack(folder: Path, examples: int) -> None:
    workbook = write_sheets(folder / "book.xlsx", minimal_sheets())
    built = build_pack(workbook, BuildOptions(out_dir=folder, month=Month(2026, 5), formats=("json",)))
    template = json.loads(built.outputs[0].read_text(encoding="utf-8"))
    outcomes: collections.Counter[str] = collections.Counter()

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(mutated_pack(template))
    def one(data: bytes) -> None:
        path = folder / "previous.json"
        path.write_bytes(data)
        outcome = compare_in_child(workbook, path, folder / "out")
        outcomes[outcome] += 1
        if outcome in {"FAILED", "CRASHED", "HUNG"}:
            kept = folder / f"{outcome.lower()}-{outcomes[outcome]}.json"
            kept.write_bytes(data)
            print(f"{outcome}: kept as {kept}", flush=True)

    _summarise(one, outcomes)


def fuzz_formula(folder: Path, examples: int) -> None:
    outcomes: collections.Counter[str] = collections.Counter()

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(driver_workbook())
    def one(case: tuple[str, dict[str, list[list[Any]]]]) -> None:
        text, sheets = case
        path = write_sheets(folder / "input.xlsx", sheets)
        outcome = build_driver_in_child(path, folder / "out")
        outcomes[outcome] += 1
        if outcome in {"FAILED", "CRASHED", "HUNG", "SILENT"}:
            kept = folder / f"{outcome.lower()}-{outcomes[outcome]}.xlsx"
            kept.write_bytes(path.read_bytes())
            print(f"{outcome}: {text} kept as {kept}", flush=True)

    _summarise(one, outcomes)


def fuzz_workbook(folder: Path, examples: int) -> None:
    template = write_sheets(folder / "template.xlsx", minimal_sheets()).read_bytes()
    outcomes: collections.Counter[str] = collections.Counter()

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(mutated_workbook(template))
    def one(data: bytes) -> None:
        path = folder / "input.xlsx"
        path.write_bytes(data)
        outcome = read_in_child(path)
        outcomes[outcome] += 1
        if outcome in {"FAILED", "CRASHED", "HUNG"}:
            kept = folder / f"{outcome.lower()}-{outcomes[outcome]}.xlsx"
            kept.write_bytes(data)
            print(f"{outcome}: kept as {kept}", flush=True)

    _summarise(one, outcomes)


def _summarise(one: Any, outcomes: collections.Counter[str]) -> None:
    started = time.perf_counter()
    one()
    total = sum(outcomes.values())
    summary = ", ".join(f"{count} {name}" for name, count in outcomes.most_common())
    print(f"{total} inputs in {time.perf_counter() - started:.0f} s: {summary}")


if __name__ == "__main__":
    main()
