"""Reading a PDF as assistive technology does: its tag tree, printed by poppler's `pdfinfo -struct`."""

import subprocess

TABLE_PARTS = ("Table", "Caption", "TD", "TH")


def tag_tree(content: bytes) -> list[tuple[int, str]]:
    """The structure elements in document order, as (depth, type) pairs."""
    out = subprocess.run(["pdfinfo", "-struct", "-"], input=content, capture_output=True, check=True)
    tree = []
    for line in out.stdout.decode().splitlines():
        name = line.strip().split(" ")[0].rstrip(":")
        if name and name[0].isupper():  # attribute lines ("/Headers [...]") start with a slash
            tree.append(((len(line) - len(line.lstrip(" "))) // 2, name))
    return tree


def table_tagging_faults(content: bytes) -> list[str]:
    """What PDF/UA refuses in tables: a table inside a table, a cell or a caption; a header cell not tagged
    TH (a table with no TH at all)."""
    faults, ancestors, tables = [], [], []
    for depth, name in tag_tree(content):
        del ancestors[depth:]
        if name == "Table":
            if any(a in TABLE_PARTS for a in ancestors):
                faults.append(" > ".join([*ancestors, name]))
            tables.append(set())
        elif name in ("TH", "TD") and tables:
            tables[-1].add(name)
        ancestors.append(name)
    faults += ["a table without a header cell" for cells in tables if "TH" not in cells]
    return faults
