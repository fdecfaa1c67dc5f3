"""Infrastructure code (Bicep, ARM JSON, Terraform) read as ARM-shaped Azure resources."""
