"""What the channels themselves say to residents (no Rasa import, so tests can read it)."""

#: Said when a turn produced no reply (action server down, internal error).
NO_REPLY_TEXT = (
    "Förlåt, jag kan inte svara just nu på grund av ett tekniskt fel. "
    "Försök igen om en liten stund."
)
