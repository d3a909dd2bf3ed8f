"""Fuzz the workbook reader on demand (not part of the test suite): `python bench/fuzz.py`.

Hypothesis generates workbooks by mutating a small valid one: sheet XML with random cells
(references near and far, types, values, formulas, error values), rows with odd numbers,
comments, CDATA, processing instructions and DTDs; flipped or cut bytes; zip entries flagged
as encrypted or streamed. Every input must end in a Workbook or a WorkbookError (a message for
the user). Each is read in a forked child under a time limit, so a native crash or a hang is
counted too, and its input kept in the folder printed. The last line is the summary to quote.
"""

from __future__ import annotations

import argparse
import collections
import io
import os
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from conftest import minimal_sheets, write_sheets  # noqa: E402

from kpireport.errors import WorkbookError  # noqa: E402
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


def read_in_child(path: Path) -> str:
    """The outcome of reading ``path`` in a forked child: read, refused, FAILED (an exception
    that is not a user message), CRASHED (killed by a signal) or HUNG."""
    child = os.fork()
    if child == 0:  # the child: exit with what happened
        code = 0
        try:
            read_workbook(path)
        except WorkbookError:
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
    return {0: "read", 3: "refused with a message"}.get(os.WEXITSTATUS(status), "FAILED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=1000, help="inputs to try")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kpireport-fuzz-"))
    template = write_sheets(folder / "template.xlsx", minimal_sheets()).read_bytes()
    outcomes: collections.Counter[str] = collections.Counter()

    @settings(max_examples=args.examples, deadline=None, database=None,
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

    started = time.perf_counter()
    one()
    total = sum(outcomes.values())
    summary = ", ".join(f"{count} {name}" for name, count in outcomes.most_common())
    print(f"{total} inputs in {time.perf_counter() - started:.0f} s: {summary}")


if __name__ == "__main__":
    main()
