"""Servicelotsen's custom actions: thin adapters from Rasa to the `bot` library.

The action server (`python -m rasa_sdk --actions actions`) imports every module
of this package and registers the Action classes it finds. Keep logic in
`bot/`; an action only reads the tracker, calls the library and utters.
"""
