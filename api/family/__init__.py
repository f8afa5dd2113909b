"""Documents for the family: the SMS notice's download link, its PIN, and the pages behind it."""
