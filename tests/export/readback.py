"""Reading a built Word document back the way other programs see it: LibreOffice (PDF), pandoc and
docx2python. For tests that check what a user gets, not how we wrote it.

LibreOffice and pandoc are external programs: when one is missing the test is skipped with the
reason, except in CI (CI=true), where it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest
from docx2python import docx2python

CONVERSION_TIMEOUT_SECONDS = 120
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_program(name: str) -> str:
    """The program's path; skips (fails in CI) the calling test if it is not installed."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed"
        if IN_CI:
            pytest.fail(message + " (CI=true: this test must run)")
        pytest.skip(message)
    return path


def _run(command: list[str], timeout: float = CONVERSION_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[bytes]:
    """Run `command` in its own process group, so that a timeout ends it with every child it started
    (soffice is a launcher for soffice.bin)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError(f"{command[0]} did not finish within {timeout} s") from None
    if process.returncode != 0:
        raise AssertionError(f"{command[0]} failed ({process.returncode}): {stderr.decode(errors='replace')}")
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def to_pdf(path: Path) -> Path:
    """Convert a .docx with headless LibreOffice; the PDF lands next to it."""
    return to_pdfs([path])[0]


def to_pdfs(paths: list[Path]) -> list[Path]:
    """Convert several .docx files in one LibreOffice start (starting it is most of the cost). Each call
    gets a profile directory of its own, so that parallel test runs do not clash over one."""
    soffice = require_program("soffice")
    paths = [Path(p) for p in paths]
    with tempfile.TemporaryDirectory(prefix="ledpro_lo_profile_") as profile:
        for folder in sorted({p.parent for p in paths}):
            _run([
                soffice,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *(str(p) for p in paths if p.parent == folder),
            ], timeout=CONVERSION_TIMEOUT_SECONDS + 10 * len(paths))
    pdfs = [p.with_suffix(".pdf") for p in paths]
    missing = [pdf.name for pdf in pdfs if not pdf.exists()]
    if missing:
        raise AssertionError(f"LibreOffice wrote no PDF for {', '.join(missing)}")
    return pdfs


def _pdfinfo(pdf: Path) -> str:
    return _run([require_program("pdfinfo"), str(pdf)]).stdout.decode(errors="replace")


def pdf_page_size_mm(pdf: Path) -> tuple[float, float]:
    """Width and height of the first page in millimetres."""
    match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", _pdfinfo(pdf))
    if match is None:
        raise AssertionError(f"pdfinfo gave no page size for {pdf.name}")
    return float(match[1]) * 25.4 / 72, float(match[2]) * 25.4 / 72


def pdf_page_count(pdf: Path) -> int:
    match = re.search(r"Pages:\s+(\d+)", _pdfinfo(pdf))
    if match is None:
        raise AssertionError(f"pdfinfo gave no page count for {pdf.name}")
    return int(match[1])


def pandoc_text(docx: Path) -> str:
    """The document as pandoc reads it, as plain text without line wrapping."""
    pandoc = require_program("pandoc")
    return _run([pandoc, "-f", "docx", "-t", "plain", "--wrap=none", str(docx)]).stdout.decode("utf-8")


def docx2python_text(docx: Path) -> str:
    """Everything docx2python reads: headers, body, footers, notes."""
    with docx2python(str(docx)) as content:
        return content.text


def normalise(text: str) -> str:
    """Whitespace differences (line breaks, tabs, paragraph gaps) are not text differences."""
    return " ".join(text.split())
