"""Checks that only a live Azure estate can answer (who made an item, how endpoints split traffic,
which model a deployment serves, what jobs ran): their first parameter is the AzureEvidence.
Checks that judge resources declared in code and live alike are in resources.py and isolation.py."""
