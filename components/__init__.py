"""Custom Rasa components for Servicelotsen (loaded by Rasa; PYTHONPATH is the repo root)."""
