"""Schema -> Label Studio labeling config (XML) and project instructions (HTML).

The config is built with ``xml.etree`` so every user string (label values,
display texts, descriptions, titles) is XML-escaped; the same schema always
gives byte-identical XML.

What annotators see (checked on Label Studio 1.23.2, see schemas/README.md):

- rtl schemas: ``style="direction: rtl"`` on the outer View and
  ``.htx-text{white-space: pre-wrap}`` so the text's spaces and line breaks
  show as stored;
- comment unit: the article (title, then body in a scrolling box) above the
  comment, in ``<Text>`` tags named ``article_title``/``article_body`` that no
  control points at (read-only); never ``<HyperText>`` (task text is untrusted);
- each question in its own View: a ``<Header>`` with its title, then the
  control, named after the question and bound (``toName``) to its item field;
- a label shows its display text (``value``) and stores its stable value
  (``alias``): results hold ``agree``, the annotator sees ``موافق``;
- ``when`` becomes ``visibleWhen="choice-selected"`` with ``whenTagName`` and
  ``whenChoiceValue`` set to the stored values (Label Studio matches that
  attribute against a choice's alias or value, comma-separated).
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

from markdown_it import MarkdownIt

from ..kinds import kind_of
from ..kinds.labelxml import captions as _captions
from ..kinds.labelxml import sub as _sub
from ..kinds.labelxml import when_attrs as _when
from ..schema import Question, Schema

__all__ = ["label_config", "instructions_html"]

_CONTEXT_BOX = (
    "border: 1px solid #d0d0d0; border-radius: 6px; padding: 8px 12px; "
    "margin-bottom: 12px; background: #fafafa"
)
_SCROLL_BOX = "max-height: 16em; overflow-y: auto"
_HINT_STYLE = "font-size: 90%; font-weight: normal; color: #666; margin: 0 0 4px 0"
_ITEM_BOX = "border: 2px solid #4363d8; border-radius: 6px; padding: 8px 12px"


def _header(parent: ET.Element, text: str, size: str) -> None:
    _sub(parent, "Header", value=text, size=size)


def _question(parent: ET.Element, schema: Schema, q: Question) -> None:
    kind = kind_of(q.kind)
    box = _sub(parent, "View", style="margin-top: 12px", **_when(q))
    _header(box, q.prompt, "5")
    if q.description and not kind.marks_text:
        # Shown under the title; per-label descriptions are hover hints.
        _sub(box, "Header", value=q.description, size="6", style=_HINT_STYLE)
    kind.control(box, schema, q)  # the kind's own control (Choices, Labels, Rating, ...)


def label_config(schema: Schema) -> str:
    """The Label Studio labeling config of a schema (deterministic XML text)."""
    captions = _captions(schema)
    rtl = schema.direction == "rtl"
    root = ET.Element(
        "View", {"style": "direction: rtl; text-align: right" if rtl else "direction: ltr"}
    )
    style = ET.SubElement(root, "Style")
    style.text = ".htx-text{white-space: pre-wrap}"

    # Read-only context above the item.
    if schema.unit == "comment":
        ctx = _sub(root, "View", style=_CONTEXT_BOX)
        _header(ctx, captions["article"], "5")
        _sub(_sub(ctx, "View", style="font-weight: bold; font-size: 110%"),
             "Text", name="article_title", value="$article_title")
        _sub(_sub(ctx, "View", style=_SCROLL_BOX),
             "Text", name="article_body", value="$article_body")

    spans_on: dict[str, list[Question]] = {}
    for q in schema.questions:
        if kind_of(q.kind).marks_text:
            spans_on.setdefault(schema.target_field(q), []).append(q)

    # The item: its fields, each preceded by the span label sets that mark it.
    item = _sub(root, "View", style=_ITEM_BOX)
    if schema.unit == "comment":
        _header(item, captions["comment"], "5")
        fields: tuple[str, ...] = ("text",)
    else:
        fields = ("title", "body")
    for field in fields:
        for q in spans_on.get(field, []):
            _question(item, schema, q)
        if schema.unit == "article":
            _header(item, captions[field], "6")
        box = item if field != "title" else _sub(item, "View", style="font-weight: bold")
        _sub(box, "Text", name=field, value=f"${field}")

    questions = _sub(root, "View")
    for q in schema.questions:
        if not kind_of(q.kind).marks_text:
            _question(questions, schema, q)

    ET.indent(root, space="  ")
    # No trailing newline: Label Studio stores the config stripped, so what it
    # returns compares equal to what we generate.
    return ET.tostring(root, encoding="unicode")


def instructions_html(schema: Schema) -> str:
    """Project instructions (Label Studio's ``expert_instruction``) as HTML.

    The guidelines are markdown rendered with raw HTML disabled (markup in them
    is shown as text, ``javascript:`` links are dropped), followed by a table of
    every question's labels with their stored values and descriptions; all
    user text is escaped.
    """
    md = MarkdownIt("commonmark", {"html": False})
    esc = html.escape
    direction = "rtl" if schema.direction == "rtl" else "ltr"
    parts = [f'<div dir="{direction}">', f"<h2>{esc(schema.title)}</h2>"]
    if schema.guidelines.strip():
        parts.append(md.render(schema.guidelines))
    parts.append(f"<h3>{esc(_captions(schema)['labels'])}</h3>")
    for q in schema.questions:
        req = " *" if q.required else ""
        parts.append(f"<h4>{esc(q.prompt)}{req} <code>{esc(q.name)}</code></h4>")
        if q.description:
            parts.append(f"<p>{esc(q.description)}</p>")
        rows = [(shown, value, description, hotkey) for value, shown, description, hotkey
                in kind_of(q.kind).label_rows(q, _captions(schema))]
        if rows:
            parts.append("<ul>")
            for shown, value, description, hotkey in rows:
                line = f"<li><b>{esc(shown)}</b> <code>{esc(value)}</code>"
                if hotkey:
                    line += f" [{esc(hotkey)}]"
                if description:
                    line += f": {esc(description)}"
                parts.append(line + "</li>")
            parts.append("</ul>")
    parts.append("</div>")
    return _auto_direction("\n".join(parts) + "\n")


_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote")


def _auto_direction(rendered: str) -> str:
    """Give each block its own direction (``dir="auto"``): in bilingual guidelines an
    English paragraph inside the RTL frame would otherwise show its punctuation at
    the wrong end. User text is escaped, so every ``<p>`` here is ours."""
    for tag in _BLOCK_TAGS:
        rendered = rendered.replace(f"<{tag}>", f'<{tag} dir="auto">')
    return rendered
