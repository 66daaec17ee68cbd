"""The pure core: the formats, the report model, the rules, last year's logic and the prose.

Nothing here opens a file or writes to a terminal; readers, writers, the Excel layer and the
CLI are adapters around it.
"""
