"""County consolidation (issue 10): many bodies' reports summed into one report of the same
template, with the status of every input and the indicators per body (``run.consolidate``)."""
