"""Import of published reports (web page, Word, PDF, text) into report values, never guessing.

``readers`` turn a file into a :class:`~.document.Document` (lines of cells, with where each
came from); the pure parser places what it can for certain and reports the rest.
"""
