"""The credit figures of the yearly report: blacklist decisions and their publication, and the
令29 publications of major violations, each with the records behind it."""
