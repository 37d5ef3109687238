"""Rasa input channels of Servicelotsen (loaded by Rasa through credentials.yml)."""

from channels import speedups

speedups.install()
