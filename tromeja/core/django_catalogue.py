"""Strings of Django's own admin and forms that its Slovenian, Italian or
Croatian catalogues lack (or that are newer than them). Listing them here puts
them into Tromeja's catalogues, which take precedence, so that the node
administration and form errors are fully translated. Never imported."""

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

STRINGS = [
    gettext_noop(
        "%(datetime)s couldn’t be interpreted in time zone %(current_timezone)s; it may be ambiguous or it may not exist."
    ),
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
    gettext_noop('%(name)s with ID "%(key)s" doesn\'t exist. Perhaps it was deleted?'),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    pgettext_lazy("String to return when truncating text", "%(truncated_text)s…"),
    gettext_noop("Add link"),
    gettext_noop('Added {name} "{object}".'),
    gettext_noop("Added “%(object)s”."),
    gettext_noop("Added:"),
    gettext_noop("Addition"),
    gettext_noop("Armenian"),
    gettext_noop("Authentication and Authorization"),
    gettext_noop("Central Kurdish (Sorani)"),
    gettext_noop("Change or view list link"),
    gettext_noop('Changed {fields} for {name} "{object}".'),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Changed {fields}."),
    gettext_noop("Changed “%(object)s” — %(changes)s"),
    gettext_noop("Changed:"),
    gettext_noop("Connect, get help, or contribute"),
    gettext_noop("Constraint “%(name)s” is violated."),
    gettext_noop("Date out of range"),
    gettext_noop("Day"),
    gettext_noop('Deleted {name} "{object}".'),
    gettext_noop("Deleted:"),
    gettext_noop("Deletion"),
    gettext_noop("Django Community"),
    gettext_noop("Django Documentation"),
    gettext_noop("Django: the Web framework for perfectionists with deadlines."),
    gettext_noop("Empty list and “%(class_name)s.allow_empty” is False."),
    gettext_noop(
        "Ensure this value is a multiple of step size %(limit_value)s, starting from %(offset)s, e.g. %(offset)s, %(valid_value1)s, %(valid_value2)s, and so on."
    ),
    gettext_noop("Ensure this value is a multiple of step size %(limit_value)s."),
    gettext_noop("Enter a valid %(protocol)s address."),
    gettext_noop("Enter a valid domain name."),
    gettext_noop(
        "Enter a valid username. This value may contain only English letters, numbers, and @/./+/-/_ characters."
    ),
    gettext_noop(
        "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
    ),
    gettext_noop(
        "Enter a valid “slug” consisting of Unicode letters, numbers, underscores, or hyphens."
    ),
    gettext_noop("Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."),
    gettext_noop(
        "File extension “%(extension)s” is not allowed. Allowed extensions are: %(allowed_extensions)s."
    ),
    gettext_noop("Get started with Django"),
    gettext_noop("Hide counts"),
    gettext_noop("Hold down “Control”, or “Command” on a Mac, to select more than one."),
    gettext_noop("IPv4"),
    gettext_noop("IPv4 or IPv6"),
    gettext_noop("IPv6"),
    gettext_noop(
        'If you are using the <meta name="referrer" content="no-referrer"> tag or including the “Referrer-Policy: no-referrer” header, please remove them. The CSRF protection requires the “Referer” header to do strict referer checking. If you’re concerned about privacy, use alternatives like <a rel="noreferrer" …> for links to third-party sites.'
    ),
    gettext_noop(
        "If you have configured your browser to disable cookies, please re-enable them, at least for this site, or for “same-origin” requests."
    ),
    gettext_noop(
        "If you have configured your browser to disable “Referer” headers, please re-enable them, at least for this site, or for HTTPS connections, or for “same-origin” requests."
    ),
    gettext_noop("Igbo"),
    gettext_noop("Invalid date string “%(datestr)s” given format “%(format)s”"),
    gettext_noop("Kabyle"),
    gettext_noop("Kyrgyz"),
    gettext_noop("Malay"),
    gettext_noop(
        "ManagementForm data is missing or has been tampered with. Missing fields: %(field_names)s. You may need to file a bug report if the issue persists."
    ),
    gettext_noop("Model name"),
    gettext_noop("Month"),
    gettext_noop("Null characters are not allowed."),
    gettext_noop("Page is not “last”, nor can it be converted to an int."),
    gettext_noop("Please correct the error below."),
    ngettext_lazy("Please submit at least %(num)d form.", "Please submit at least %(num)d forms."),
    ngettext_lazy("Please submit at most %(num)d form.", "Please submit at most %(num)d forms."),
    gettext_noop("Popup closing…"),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop(
        'Raw passwords are not stored, so there is no way to see this user\'s password, but you can change the password using <a href="{}">this form</a>.'
    ),
    gettext_noop("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
    gettext_noop("Reset password"),
    gettext_noop("Save and view"),
    gettext_noop("Select %s to view"),
    gettext_noop("Select all objects on this page for an action"),
    gettext_noop("Select this object for an action - {}"),
    gettext_noop("Set password"),
    gettext_noop("Show counts"),
    gettext_noop(
        "Something’s wrong with your database installation. Make sure the appropriate database tables have been created, and make sure the database is readable by the appropriate user."
    ),
    gettext_noop("String (unlimited)"),
    gettext_noop("Syndication"),
    gettext_noop("Tajik"),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("The inline value did not match the parent instance."),
    gettext_noop("The install worked successfully! Congratulations!"),
    gettext_noop("The number of days must be between {min_days} and {max_days}."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop('The {name} "{obj}" was added successfully.'),
    gettext_noop('The {name} "{obj}" was added successfully. You may add another {name} below.'),
    gettext_noop('The {name} "{obj}" was added successfully. You may edit it again below.'),
    gettext_noop('The {name} "{obj}" was changed successfully.'),
    gettext_noop('The {name} "{obj}" was changed successfully. You may add another {name} below.'),
    gettext_noop('The {name} "{obj}" was changed successfully. You may edit it again below.'),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop(
        "This object doesn’t have a change history. It probably wasn’t added via this admin site."
    ),
    gettext_noop("This password is too common."),
    gettext_noop("Topics, references, &amp; how-to’s"),
    gettext_noop("Turkmen"),
    gettext_noop("Tutorial: A Polling App"),
    gettext_noop("Universally unique identifier"),
    gettext_noop("Uyghur"),
    gettext_noop("Uzbek"),
    gettext_noop("View %s"),
    gettext_noop(
        'View <a href="https://docs.djangoproject.com/en/%(version)s/releases/" target="_blank" rel="noopener">release notes</a> for Django %(version)s'
    ),
    gettext_noop("Year"),
    gettext_noop(
        "You are seeing this message because this HTTPS site requires a “Referer header” to be sent by your Web browser, but none was sent. This header is required for security reasons, to ensure that your browser is not being hijacked by third parties."
    ),
    gettext_noop(
        "You are seeing this message because this HTTPS site requires a “Referer header” to be sent by your web browser, but none was sent. This header is required for security reasons, to ensure that your browser is not being hijacked by third parties."
    ),
    gettext_noop(
        'You are seeing this page because <a href="https://docs.djangoproject.com/en/%(version)s/ref/settings/#debug" target="_blank" rel="noopener">DEBUG=True</a> is in your settings file and you have not configured any URLs.'
    ),
    gettext_noop("You may edit it again below."),
    gettext_noop("Your password can't be a commonly used password."),
    gettext_noop("Your password can't be too similar to your other personal information."),
    ngettext_lazy("entry", "entries"),
    gettext_noop("memory cost"),
    gettext_noop("parallelism"),
    gettext_noop("time cost"),
    gettext_noop("variety"),
    gettext_noop("version"),
    gettext_noop("“%(path)s” does not exist"),
    gettext_noop("“%(pk)s” is not a valid value."),
    gettext_noop("“%(value)s” is not a valid UUID."),
    gettext_noop("“%(value)s” value has an invalid date format. It must be in YYYY-MM-DD format."),
    gettext_noop(
        "“%(value)s” value has an invalid format. It must be in HH:MM[:ss[.uuuuuu]] format."
    ),
    gettext_noop(
        "“%(value)s” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format."
    ),
    gettext_noop(
        "“%(value)s” value has an invalid format. It must be in [DD] [[HH:]MM:]ss[.uuuuuu] format."
    ),
    gettext_noop(
        "“%(value)s” value has the correct format (HH:MM[:ss[.uuuuuu]]) but it is an invalid time."
    ),
    gettext_noop(
        "“%(value)s” value has the correct format (YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ]) but it is an invalid date/time."
    ),
    gettext_noop(
        "“%(value)s” value has the correct format (YYYY-MM-DD) but it is an invalid date."
    ),
    gettext_noop("“%(value)s” value must be a decimal number."),
    gettext_noop("“%(value)s” value must be a float."),
    gettext_noop("“%(value)s” value must be an integer."),
    gettext_noop("“%(value)s” value must be either None, True or False."),
    gettext_noop("“%(value)s” value must be either True or False."),
    gettext_noop("“%(value)s” value must be either True, False, or None."),
    ngettext_lazy("%(num)d day", "%(num)d days"),
    ngettext_lazy("%(num)d hour", "%(num)d hours"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes"),
    ngettext_lazy("%(num)d month", "%(num)d months"),
    ngettext_lazy("%(num)d week", "%(num)d weeks"),
    ngettext_lazy("%(num)d year", "%(num)d years"),
    gettext_noop("A JSON object"),
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Algerian Arabic"),
    gettext_noop("Breadcrumbs"),
    gettext_noop("Clear all filters"),
    gettext_noop("Deleted {name} “{object}”."),
    gettext_noop("Deleted “%(object)s.”"),
    gettext_noop("Empty"),
    gettext_noop("Enter a valid JSON."),
    gettext_noop(
        "Enter a valid username. This value may contain only unaccented lowercase a-z and uppercase A-Z letters, numbers, and @/./+/-/_ characters."
    ),
    gettext_noop("Filter navigation items"),
    gettext_noop(
        "First, enter a username and password. Then, you’ll be able to edit more user options."
    ),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we’ll email instructions for setting a new one."
    ),
    gettext_noop(
        "If you don’t receive an email, please make sure you’ve entered the address you registered with, and check your spam folder."
    ),
    gettext_noop("Not empty"),
    gettext_noop(
        "Please enter your old password, for security’s sake, and then enter your new password twice so we can verify you typed it in correctly."
    ),
    gettext_noop("Positive big integer"),
    gettext_noop(
        'Raw passwords are not stored, so there is no way to see this user’s password, but you can change the password using <a href="{}">this form</a>.'
    ),
    gettext_noop("Sidebar"),
    gettext_noop("Skip to main content"),
    gettext_noop("Start typing to filter…"),
    gettext_noop("Thanks for spending some quality time with the web site today."),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop(
        "There’s been an error. It’s been reported to the site administrators via email and should be fixed shortly. Thanks for your patience."
    ),
    gettext_noop("Toggle navigation"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Value must be valid JSON."),
    gettext_noop("View selected %(model)s"),
    gettext_noop("We’re sorry, but the requested page could not be found."),
    gettext_noop(
        "We’ve emailed you instructions for setting your password, if an account exists with the email you entered. You should receive them shortly."
    ),
    gettext_noop("Yes, I’m sure"),
    gettext_noop("You don’t have permission to view or edit anything."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your username, in case you’ve forgotten:"),
    gettext_noop("block size"),
    gettext_noop("…"),
    # Month names of Django's date formats N ("abbrev. month") and E ("alt.
    # month", the genitive where a language has one). Django's Slovenian
    # catalogue leaves them English or capitalised ("Dec.", "April",
    # "December"), its Italian one capitalises them ("Dic.", "Dicembre"). The
    # node's own formats (tromeja/formats) use F and b in Slovenian and
    # Italian, which are right; these make N and E right as well.
    pgettext_lazy("abbrev. month", "Jan."),
    pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"),
    pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"),
    pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"),
    pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."),
    pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."),
    pgettext_lazy("abbrev. month", "Dec."),
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
]
