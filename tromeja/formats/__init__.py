"""Date, time and number formats of the four languages (FORMAT_MODULE_PATH).

Only what differs from Django's own locale formats is set here; everything
else falls back to them. Every language shows the day before the month and a
24-hour clock, with month names from the language's own catalogue. The first
entry of DATE_INPUT_FORMATS and DATETIME_INPUT_FORMATS is the form a date field
shows and suggests (core.widgets); the others, ISO 8601 among them, are
accepted too.
"""
