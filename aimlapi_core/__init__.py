"""Framework-free client core for the AI/ML API's Claude models."""
