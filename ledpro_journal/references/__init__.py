"""References: how they are stored and checked (model), formatted in APA 7, Norwegian or English (apa),
and imported from RIS/BibTeX (importing). No database, no Streamlit.

Callers format `Work`s (key, kind, data) and cite `CitedWork`s (a work and its page):

    bibliography([Work("12", "book", data)], "nb")
    cite([CitedWork(Work("12", "book", data), "45")], "nb", library=works)
"""

from ledpro_journal.references.apa import (
    bibliography,
    bibliography_by_key,
    cite,
    load_styles,
    narrative,
    plain,
    to_csl,
)
from ledpro_journal.references.importing import (
    ImportRejected,
    ImportResult,
    parse_import,
)
from ledpro_journal.references.model import (
    FIELDS,
    KINDS,
    MAX_IMPORT_BYTES,
    NAME_FIELDS,
    REQUIRED,
    CitedWork,
    Work,
    clean,
    format_names_for_editing,
    parse_names,
    validate,
)

__all__ = [
    "FIELDS", "KINDS", "MAX_IMPORT_BYTES", "NAME_FIELDS", "REQUIRED",
    "CitedWork", "ImportRejected", "ImportResult", "Work",
    "bibliography", "bibliography_by_key", "cite", "clean", "format_names_for_editing", "load_styles",
    "narrative", "parse_import", "parse_names", "plain", "to_csl", "validate",
]
