"""What the read-only AWS API calls found: the model (plain data, no boto3), the read-only
clients, and the gatherer that reads it."""
