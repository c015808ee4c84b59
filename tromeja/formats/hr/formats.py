# Croatian: "3. prosinca 2026. 14:05", "3. 12. 2026." The genitive month
# names (E) are translated in Django's Croatian catalogue.
DATE_FORMAT = "j. E Y."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j. E Y. H:i"
YEAR_MONTH_FORMAT = "F Y."
MONTH_DAY_FORMAT = "j. E"
SHORT_DATE_FORMAT = "j. n. Y."
SHORT_DATETIME_FORMAT = "j. n. Y. H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d.%m.%Y.",  # '25.10.2006.'
    "%d.%m.%Y",  # '25.10.2006'
    "%d. %m. %Y.",  # '25. 10. 2006.'
    "%d. %m. %Y",  # '25. 10. 2006'
    "%Y-%m-%d",  # '2006-10-25'
    "%d.%m.%y.",  # '25.10.06.'
    "%d.%m.%y",  # '25.10.06'
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y. %H:%M",  # '25.10.2006. 14:30'
    "%d.%m.%Y. %H:%M:%S",  # '25.10.2006. 14:30:59'
    "%d.%m.%Y %H:%M",  # '25.10.2006 14:30'
    "%d.%m.%Y %H:%M:%S",  # '25.10.2006 14:30:59'
    "%d. %m. %Y. %H:%M",  # '25. 10. 2006. 14:30'
    "%d. %m. %Y %H:%M",  # '25. 10. 2006 14:30'
    "%Y-%m-%d %H:%M",  # '2006-10-25 14:30'
    "%Y-%m-%d %H:%M:%S",  # '2006-10-25 14:30:59'
    "%Y-%m-%d %H:%M:%S.%f",  # '2006-10-25 14:30:59.000200'
    "%Y-%m-%dT%H:%M",  # '2006-10-25T14:30'
    "%Y-%m-%dT%H:%M:%S",  # '2006-10-25T14:30:59'
    "%d.%m.%y. %H:%M",  # '25.10.06. 14:30'
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
