"""Batches: many inputs through one verb, one task per input, on Ray or a local process pool.

``python -m ai_engine batch VERB INPUTS… --out DIR [--ray ADDRESS|local] [--json]`` (``cli.py``).
A batch is a list of ``TaskSpec`` (``contract.py``), each holding the typed request of one feature
job (or, for the add-on's verbs, one ``python -m addon VERB …`` command line). ``scheduler.py`` runs
them — on a Ray cluster (one Ray task per input, resources declared per task, crashed workers
retried by Ray) or on a local pool of worker processes (``task.py``, the same code) — and writes
``DIR/manifest.json`` atomically as each task finishes, so a re-run skips what is done.
"""
