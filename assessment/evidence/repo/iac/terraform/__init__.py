"""Terraform (`.tf`) read into ARM-shaped resources, so the same checks run on Bicep, ARM and
Terraform: hcl.py (python-hcl2 and the shapes of its output), resources.py (resource, data and
module blocks), scope.py (var. and local. values), mappings.py (azurerm types and attributes
mapped to ARM types and properties)."""
