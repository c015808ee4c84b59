# Italian: "3 dic 2026, 14:05", "03/12/2026". The abbreviation (b) is the
# catalogue's lower-case one; Django's Italian full names are capitalised
# ("Dicembre"), which Italian does not do.
DATE_FORMAT = "j b Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j b Y, H:i"
YEAR_MONTH_FORMAT = "b Y"
MONTH_DAY_FORMAT = "j b"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # '25/10/2006'
    "%Y-%m-%d",  # '2006-10-25'
    "%d/%m/%y",  # '25/10/06'
    "%d-%m-%Y",  # '25-10-2006'
    "%d.%m.%Y",  # '25.10.2006'
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",  # '25/10/2006 14:30'
    "%d/%m/%Y %H:%M:%S",  # '25/10/2006 14:30:59'
    "%d/%m/%Y, %H:%M",  # '25/10/2006, 14:30'
    "%Y-%m-%d %H:%M",  # '2006-10-25 14:30'
    "%Y-%m-%d %H:%M:%S",  # '2006-10-25 14:30:59'
    "%Y-%m-%d %H:%M:%S.%f",  # '2006-10-25 14:30:59.000200'
    "%Y-%m-%dT%H:%M",  # '2006-10-25T14:30'
    "%Y-%m-%dT%H:%M:%S",  # '2006-10-25T14:30:59'
    "%d/%m/%y %H:%M",  # '25/10/06 14:30'
    "%d-%m-%Y %H:%M",  # '25-10-2006 14:30'
    "%d.%m.%Y %H:%M",  # '25.10.2006 14:30'
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
