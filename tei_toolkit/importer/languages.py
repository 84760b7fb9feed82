"""Language names as the archive writes them -> ISO 639 codes (BCP 47 tags)."""

from __future__ import annotations

import re

CODES = {
    "albanian": "sq", "amharic": "am", "arabic": "ar", "armenian": "hy", "azerbaijani": "az",
    "belarusian": "be", "bengali": "bn", "bulgarian": "bg", "burmese": "my", "chinese": "zh",
    "croatian": "hr", "czech": "cs", "danish": "da", "dutch": "nl", "english": "en",
    "estonian": "et", "finnish": "fi", "french": "fr", "georgian": "ka", "german": "de",
    "greek": "el", "hebrew": "he", "hindi": "hi", "hungarian": "hu", "indonesian": "id",
    "italian": "it", "japanese": "ja", "kazakh": "kk", "khmer": "km", "korean": "ko",
    "lao": "lo", "latvian": "lv", "lithuanian": "lt", "macedonian": "mk", "mongolian": "mn",
    "norwegian": "no", "persian": "fa", "farsi": "fa", "polish": "pl", "portuguese": "pt",
    "romanian": "ro", "russian": "ru", "serbian": "sr", "serbo-croatian": "sh", "slovak": "sk",
    "slovenian": "sl", "spanish": "es", "swahili": "sw", "swedish": "sv", "tagalog": "tl",
    "thai": "th", "tibetan": "bo", "turkish": "tr", "ukrainian": "uk", "urdu": "ur",
    "uzbek": "uz", "vietnamese": "vi", "yiddish": "yi", "ukranian": "uk",
}
SEPARATOR = ", "
_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b)\s*")


def split_languages(line: str) -> list[tuple[str, str | None]]:
    """'Russian, Chinese' -> [('Russian', 'ru'), ('Chinese', 'zh')]; unknown names get None."""
    out = []
    for name in _SPLIT.split(line.strip()):
        if name:
            out.append((name, CODES.get(name.casefold())))
    return out
