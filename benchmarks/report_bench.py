"""Speed of reports: the China brief (HTML, PDF), the submission matrix, and dump/restore of the database.

    UPRWATCH_HOME=/tmp/uh-reports python benchmarks/report_bench.py [--dump]

Run after ``uprwatch init``. Targets (issue 9): the China brief in HTML <= 2 s and in PDF <= 6 s on 2
cores. Times are wall seconds in-process (Django set up, search catalog warmed by one untimed run), best
of ``--repeat`` runs, so they measure the report, not Python's start-up. ``cpu_seconds`` gives each
figure's CPU time, the honest figure when other programs load the machine (``load_average`` says how
loaded it was). ``--dump`` also times a full dump, a validation, and a restore into a fresh SQLite
database in a temporary folder (a subprocess, so the source database is untouched). Prints one JSON
object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Running this file puts benchmarks/ first on sys.path, where benchmarks/calendar.py would shadow the
# standard library's calendar module (which WeasyPrint needs).
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


CPU_TIMES: dict[str, float] = {}  # figure -> best CPU seconds of this process: others' load does not inflate it


def best_of(repeat: int, function, name: str = "") -> tuple[float, object]:
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    if name:
        CPU_TIMES[name] = round(min(cpu), 3)
    return round(min(times), 3), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dump", action="store_true", help="also time dump, validate and restore")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()
    from uprwatch.reports.brief import build_brief, render_brief_html, render_brief_pdf
    from uprwatch.reports.matrix import matrix_docx, matrix_xlsx
    from uprwatch.reports.selection import select

    figures: dict = {"cpu_count": os.cpu_count()}

    def china_html() -> str:
        return render_brief_html(build_brief(select("China")))

    china_html()  # warm the search catalog and template caches (untimed)
    figures["china_brief_recommendations"] = len(select("China").ids)
    figures["china_brief_html_seconds"], html = best_of(args.repeat, china_html, "china_brief_html_seconds")
    figures["china_brief_html_bytes"] = len(html.encode())
    figures["china_brief_query_html_seconds"], _ = best_of(
        args.repeat, lambda: render_brief_html(build_brief(select("China", query="death penalty"))))
    try:
        figures["china_brief_pdf_seconds"], pdf = best_of(
            args.repeat, lambda: render_brief_pdf(build_brief(select("China"))), "china_brief_pdf_seconds")
        figures["china_brief_pdf_bytes"] = len(pdf)
        from pypdf import PdfReader

        figures["china_brief_pdf_pages"] = len(PdfReader(io.BytesIO(pdf)).pages)
    except Exception as exc:  # WeasyPrint missing: report it instead of a figure
        figures["china_brief_pdf_seconds"] = None
        figures["pdf_note"] = str(exc)
    figures["china_matrix_xlsx_seconds"], _ = best_of(
        args.repeat, lambda: matrix_xlsx(select("China")), "china_matrix_xlsx_seconds")
    figures["china_matrix_docx_seconds"], _ = best_of(
        args.repeat, lambda: matrix_docx(select("China")), "china_matrix_docx_seconds")
    # A campaign-sized selection (~300 recommendations), the matrix's usual size.
    rights = select("China", query="rights")
    figures["china_rights_matrix_recommendations"] = len(rights.ids)
    figures["china_rights_matrix_docx_seconds"], _ = best_of(
        args.repeat, lambda: matrix_docx(rights), "china_rights_matrix_docx_seconds")
    figures["cpu_seconds"] = CPU_TIMES
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    figures["targets"] = {"china_brief_html_seconds": 2.0, "china_brief_pdf_seconds": 6.0}

    if args.dump:
        from uprwatch.reports.dump import dump_database, validate_dump

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "all.jsonl.gz"
            start = time.perf_counter()
            summary = dump_database(path)
            figures["dump_seconds"] = round(time.perf_counter() - start, 2)
            figures["dump_rows"] = summary.rows
            figures["dump_bytes"] = path.stat().st_size
            start = time.perf_counter()
            validate_dump(path)
            figures["validate_seconds"] = round(time.perf_counter() - start, 2)
            env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
            env["UPRWATCH_HOME"] = str(Path(folder) / "restored")
            Path(env["UPRWATCH_HOME"]).mkdir()
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "uprwatch.cli", "restore", "--no-index", str(path)], env=env, check=True,
                           capture_output=True)
            figures["restore_sqlite_seconds_including_migrate"] = round(time.perf_counter() - start, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
