"""Analysis: pure, stdlib-style functions over source text and syntax trees.

Nothing here reads files, calls AWS or knows about rules: no I/O and no rule codes.
Callers in ``facts/`` read the inputs and pass the text in.
"""
