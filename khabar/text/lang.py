"""Language identification: ISO 639-1 codes via py3langid (offline, model shipped in the wheel).

>>> detect("قال المتحدث باسم الحكومة إن المفاوضات مستمرة")
'ar'
"""

from __future__ import annotations

import re
from typing import Any

from khabar.text.arabic import is_arabic

__all__ = ["detect"]

_MAX_CHARS = 2000  # the first ~2000 characters decide; longer text only costs time
_MIN_LETTERS = 3
# Letters of Persian (پ چ ژ گ ک ی) and Urdu (ٹ ڈ ڑ ں ے ھ) that standard Arabic does not use: with
# any of them present an Arabic-script text may not be Arabic, so the model decides.
_NON_ARABIC_SCRIPT = re.compile("[پچژگکیٹڈڑںےھۀ]")
_LETTER = re.compile(r"[^\W\d_]")
_identifier: Any = None


def _model() -> Any:
    """The py3langid identifier, loaded on first use (loading takes ~0.3 s)."""
    global _identifier
    if _identifier is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    return _identifier


def detect(text: str) -> str:
    """ISO 639-1 code of ``text``'s language, ``"und"`` when empty or too short to tell.

    >>> detect("Le gouvernement a annoncé mardi de nouvelles mesures.")
    'fr'
    >>> detect("")
    'und'
    """
    head = text[:_MAX_CHARS]
    letters = _LETTER.findall(head)
    if len(letters) < _MIN_LETTERS:
        return "und"
    if is_arabic(head) and not _NON_ARABIC_SCRIPT.search(head):
        return "ar"
    return str(_model().classify(head)[0])
