"""The report's templates, one folder for the narrative, Markdown, HTML and Word.

Installed as the package data of ``xlgbreport.templates``; jinja2 and docxtpl find them
through this package, from a checkout and from an installed wheel alike.
"""
