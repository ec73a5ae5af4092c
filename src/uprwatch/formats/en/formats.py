"""One date format on every page, brief and document: "9 Oct 2023" (unambiguous in every country, short).

Django uses these for any date shown without an explicit format (``{{ event.occurred_on }}``); machine
exports (CSV, JSON, XLSX cells) keep ISO dates, which spreadsheets and scripts read.
"""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
