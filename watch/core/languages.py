"""The interface languages. Plain data, so that the configuration can read it too."""

# The interface languages, each in its own name (as the language switch shows them), Swedish first.
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English", "fi": "Suomi", "ar": "العربية", "so": "Soomaali"}
RIGHT_TO_LEFT = frozenset({"ar"})


def text_direction(locale: str) -> str:
    """The value of `dir` for text in that language."""
    return "rtl" if locale in RIGHT_TO_LEFT else "ltr"
