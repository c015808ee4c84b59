# English as written in Europe: "3 Dec 2026, 14:05". The short formats name
# the month too: "03/12/2026" is 12 March to an American reader.
DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # '25/10/2006'
    "%Y-%m-%d",  # '2006-10-25'
    "%d/%m/%y",  # '25/10/06'
    "%d.%m.%Y",  # '25.10.2006'
    "%d-%m-%Y",  # '25-10-2006'
    "%d %b %Y",  # '25 Oct 2006'
    "%d %B %Y",  # '25 October 2006'
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
    "%d.%m.%Y %H:%M",  # '25.10.2006 14:30'
    "%d %b %Y %H:%M",  # '25 Oct 2006 14:30'
    "%d %b %Y, %H:%M",  # '25 Oct 2006, 14:30'
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
