"""Facts: the only code that reads files, calls AWS or fetches from identity providers."""


class UndeclaredFact(LookupError):
    """A rule read facts (AWS groups, policy documents, measurements, code of a role) it did not declare."""
