"""One module per AWS service the gatherer reads: plain functions over
:class:`~agentcore_readiness.facts.aws.calls.AwsCalls`, each returning facts of
:mod:`~agentcore_readiness.facts.aws.model` with every failure kept on the fact it stopped."""
