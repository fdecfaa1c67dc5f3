"""Checks of the other ML platforms (DVC, Databricks, SageMaker, Vertex AI / Kubeflow): the same
capabilities as the Azure ML checks, in each platform's own idioms; alternatives.py composes them."""
