"""What the project's Python code holds: the code index built in one walk per file, each
file's role, and the calls resolved across the project's modules."""
