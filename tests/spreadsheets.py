"""Opening an export as a French spreadsheet user does: LibreOffice (headless) converts it to OpenDocument,
whose cells say what it recognised in them (date, float or string)."""

import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(
    not SOFFICE, reason="LibreOffice (soffice) is not installed: CI does not install it"
)
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
# CSV import options: semicolon, double quotes, UTF-8, from line 1, French (France) for dates and numbers.
FRENCH_CSV = "CSV:59,34,76,1,,1036"


def as_opendocument(path: Path) -> Path:
    """The file converted to .ods beside it by LibreOffice (a CSV read as a French user's Calc reads it)."""
    command = [SOFFICE, "--headless", f"-env:UserInstallation=file://{path.parent}/profile"]
    if path.suffix == ".csv":
        command.append(f"--infilter={FRENCH_CSV}")
    command += ["--convert-to", "ods", "--outdir", str(path.parent), str(path)]
    subprocess.run(command, capture_output=True, check=True, timeout=180)
    return path.with_suffix(".ods")


def typed_columns(ods: Path) -> dict[str, list[str]]:
    """Header → the value type LibreOffice gave each cell below it ("" when empty), in the first sheet."""
    root = ElementTree.fromstring(zipfile.ZipFile(ods).read("content.xml"))
    rows = []
    for row in next(root.iter(f"{TABLE}table")).iter(f"{TABLE}table-row"):
        cells = []
        for cell in row.iter(f"{TABLE}table-cell"):
            repeat = min(int(cell.get(f"{TABLE}number-columns-repeated", "1")), 100)
            cells += [(cell.get(f"{OFFICE}value-type") or "", "".join(cell.itertext()))] * repeat
        if any(kind for kind, _ in cells):
            rows.append(cells)
    header = [value for _, value in rows[0]]
    return {name: [row[i][0] for row in rows[1:]] for i, name in enumerate(header) if name}
