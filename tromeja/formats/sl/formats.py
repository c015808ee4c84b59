# Slovenian: "3. december 2026, 14:05", "3. 12. 2026". Month names are the
# catalogue's full names (F), which Django's Slovenian catalogue translates;
# its abbreviations (M, N) come out in English or capitalised ("Dec.").
DATE_FORMAT = "j. F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j. F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j. F"
SHORT_DATE_FORMAT = "j. n. Y"
SHORT_DATETIME_FORMAT = "j. n. Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # '25.10.2006'
    "%d. %m. %Y",  # '25. 10. 2006'
    "%Y-%m-%d",  # '2006-10-25'
    "%d.%m.%y",  # '25.10.06'
    "%d. %m. %y",  # '25. 10. 06'
    "%d-%m-%Y",  # '25-10-2006'
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M",  # '25.10.2006 14:30'
    "%d.%m.%Y %H:%M:%S",  # '25.10.2006 14:30:59'
    "%d.%m.%Y, %H:%M",  # '25.10.2006, 14:30'
    "%d. %m. %Y %H:%M",  # '25. 10. 2006 14:30'
    "%d. %m. %Y, %H:%M",  # '25. 10. 2006, 14:30'
    "%d.%m.%Y %H.%M",  # '25.10.2006 14.30'
    "%Y-%m-%d %H:%M",  # '2006-10-25 14:30'
    "%Y-%m-%d %H:%M:%S",  # '2006-10-25 14:30:59'
    "%Y-%m-%d %H:%M:%S.%f",  # '2006-10-25 14:30:59.000200'
    "%Y-%m-%dT%H:%M",  # '2006-10-25T14:30'
    "%Y-%m-%dT%H:%M:%S",  # '2006-10-25T14:30:59'
    "%d.%m.%y %H:%M",  # '25.10.06 14:30'
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
