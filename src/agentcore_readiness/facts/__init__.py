"""Facts: the only code that reads files, calls AWS or fetches from identity providers."""
