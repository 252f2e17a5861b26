"""Pure functions over news documents: read, clean, detect language, hash, tag entities.

Nothing here touches Prefect or DuckDB, and nothing keeps global state: models and
detectors are objects the caller creates and passes in, so every step can be used
from a notebook as easily as from a flow.
"""
