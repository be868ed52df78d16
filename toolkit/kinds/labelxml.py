"""The small XML vocabulary of Label Studio labeling configs, shared by the kinds'
controls and :mod:`toolkit.studio.labelconfig` (which lays out the whole config).

A leaf: it knows the schema model and ``xml.etree`` only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..schema import Question, Schema

__all__ = ["CAPTIONS", "PALETTE", "bool_attr", "captions", "sub", "when_attrs"]

# Texts of the config's own captions, by schema language (English otherwise).
CAPTIONS: dict[str, dict[str, str]] = {
    "ar": {
        "article": "المقال (للسياق فقط)",
        "comment": "التعليق",
        "title": "العنوان",
        "body": "نص المقال",
        "yes": "نعم",
        "no": "لا",
        "labels": "الأسئلة",
    },
    "en": {
        "article": "Article (context only)",
        "comment": "Comment",
        "title": "Title",
        "body": "Article body",
        "yes": "Yes",
        "no": "No",
        "labels": "Questions",
    },
}

# Span label colours, by position in the question's label list (stable).
PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4",
    "#42d4f4", "#f032e6", "#9a6324", "#808000", "#000075",
)


def captions(schema: Schema) -> dict[str, str]:
    """The config's captions in the schema's language (English when it has none)."""
    return CAPTIONS.get(schema.language.split("-")[0].lower(), CAPTIONS["en"])


def sub(parent: ET.Element, tag: str, **attrs: str | None) -> ET.Element:
    """A child element with the given attributes, in the order given, None left out."""
    return ET.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})


def bool_attr(value: bool) -> str | None:
    """An XML boolean attribute: "true", or left out."""
    return "true" if value else None


def when_attrs(question: Question) -> dict[str, str]:
    """The attributes that show a question only when its ``when`` condition holds."""
    if question.when is None:
        return {}
    return {
        "visibleWhen": "choice-selected",
        "whenTagName": question.when.question,
        "whenChoiceValue": ",".join(question.when.equals),
    }
