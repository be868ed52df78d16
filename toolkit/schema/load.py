"""The loader: YAML (safe_load semantics) with positions, then the model, then the checks;
every problem one line ``FILE:LINE:COLUMN: what is wrong; what to do``."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pydantic import (
    BaseModel,
    ValidationError,
)

from ..errors import SchemaError
from ..kinds import KINDS
from .checks import Loc, Problem, check_schema
from .model import AnnotationPolicy, DatasetDefaults, Label, Question, Schema, When

# --------------------------------------------------------------------------------------
# The loader: YAML (safe_load semantics) with positions, then the model, then the checks
# --------------------------------------------------------------------------------------


MAX_SCHEMA_BYTES = 16 * 1024 * 1024  # 80,000 labels take ~5 MB; /dev/zero never ends
MAX_SCHEMA_DEPTH = 64  # a real schema nests 5 or 6 levels
MAX_INT_DIGITS = 100
_SURROGATE = re.compile("[\ud800-\udfff]")


class _SchemaLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: ``yes``/``no``/``on``/``off`` stay strings.

    (Under YAML 1.1 a label list ``[yes, no]`` would load as booleans.) Aliases
    (``*name``) are refused where they are written: a schema is small, plain data.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _Refused(self.peek_event().start_mark, "YAML aliases (*name) are not "
                           "supported in a schema file; write the value out")
        # Composing recurses once per level: refuse a deep nest before Python's recursion
        # limit does (5,000 brackets raised RecursionError).
        if self._depth >= MAX_SCHEMA_DEPTH:
            raise _Refused(self.peek_event().start_mark, f"nested more than "
                           f"{MAX_SCHEMA_DEPTH} levels deep; a schema is a few levels of "
                           "keys and lists: check the brackets")
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, yaml.ScalarNode):
            _refuse_surrogates(node)
        return node

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        # int() refuses more than sys.get_int_max_str_digits() digits with a ValueError.
        digits = sum(ch.isdigit() for ch in node.value)
        if digits > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {digits} digits is too long (at most "
                f"{MAX_INT_DIGITS}); write a small number, or quote it to make it text",
                node.start_mark)
        return super().construct_yaml_int(node)


def _refuse_surrogates(node: yaml.ScalarNode) -> None:
    """A ``\\ud800`` escape gives half a UTF-16 pair, which is no character (nor UTF-8)."""
    found = _SURROGATE.search(node.value)
    if found:
        raise _Refused(node.start_mark, f"the escape \\u{ord(found.group()):04x} is half of a "
                       "UTF-16 surrogate pair, not a character; write the character itself "
                       "(or \\U and its 8 hex digits, e.g. \\U0001F600)")


class _Refused(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark, message: str) -> None:
        super().__init__(message)
        self.mark, self.message = mark, message


_SchemaLoader.add_constructor("tag:yaml.org,2002:int", _SchemaLoader.construct_yaml_int)
_SchemaLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SchemaLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class _Positions:
    """Where each path of the YAML document starts: its key and its value."""

    def __init__(self) -> None:
        self.value: dict[Loc, yaml.Mark] = {}
        self.key: dict[Loc, yaml.Mark] = {}
        self.problems: list[tuple[yaml.Mark, str]] = []
        # Every path in the order it was first recorded (in either table): what a subtree
        # added is a slice of it, so aliasing a mapping's subtree reads only that subtree.
        self._order: list[Loc] = []

    def _put(self, marks: dict[Loc, yaml.Mark], loc: Loc, mark: yaml.Mark) -> None:
        if loc not in marks:
            marks[loc] = mark
            self._order.append(loc)

    def walk(self, node: yaml.Node, loader: yaml.SafeLoader, path: Loc = (),
             seen: set[int] | None = None) -> None:
        """Record marks by path; refuse aliases, merge keys and duplicate keys."""
        seen = set() if seen is None else seen
        if id(node) in seen:
            self.problems.append((node.start_mark, "YAML aliases (*name) are not supported in "
                                  "a schema file; write the value out"))
            return
        seen.add(id(node))
        self._put(self.value, path, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            first_at: dict[Any, yaml.Mark] = {}
            for index, (key_node, value_node) in enumerate(node.value):
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append((key_node.start_mark, "a key must be plain text"))
                    continue
                key = key_node.value
                if key == "<<":
                    self.problems.append((key_node.start_mark, "YAML merge keys (<<) are not "
                                          "supported in a schema file; write the keys out"))
                    continue
                if key in first_at:
                    mark = first_at[key]
                    self.problems.append((key_node.start_mark, f"key {key!r} appears twice in "
                                          f"this mapping (also at line {mark.line + 1}, column "
                                          f"{mark.column + 1}); remove or rename one"))
                    continue
                first_at[key] = key_node.start_mark
                sub = (*path, key)
                start = len(self._order)
                self._put(self.key, sub, key_node.start_mark)
                self.walk(value_node, loader, sub, seen)
                # Label mappings ({agree: موافق}) become lists in the model: alias by index
                # (no other mapping does). Only paths recorded since `start` can lie under
                # `sub` (each key is walked once), so this reads the label's subtree, not
                # every path so far (linear, not quadratic, in the number of labels).
                if path[-1:] != ("labels",):
                    continue
                added = self._order[start:]
                for marks in (self.key, self.value):
                    for loc in added:
                        if loc in marks and loc[: len(sub)] == sub:
                            self._put(marks, (*path, index, *loc[len(sub):]), marks[loc])
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._put(self.key, (*path, index), item.start_mark)
                self.walk(item, loader, (*path, index), seen)

    def mark(self, loc: Loc, *, at_key: bool = False) -> yaml.Mark | None:
        loc = tuple(loc)
        while True:
            table = (self.key, self.value) if at_key else (self.value, self.key)
            for marks in table:
                if loc in marks:
                    return marks[loc]
            if not loc:
                return None
            loc, at_key = loc[:-1], False


def _describe(loc: Loc, data: Any) -> str:
    """A readable path: ``questions[2] (stance).labels[0] (agree)``."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int):
            name = None
            if isinstance(node, list) and 0 <= step < len(node):
                node = node[step]
                if isinstance(node, dict) and isinstance(node.get("name"), str):
                    name = node["name"]
                elif isinstance(node, dict) and isinstance(node.get("value"), str):
                    name = node["value"]
                elif isinstance(node, str):
                    name = node
            elif isinstance(node, dict) and 0 <= step < len(node):
                key = list(node)[step]
                name, node = str(key), node[key]
            else:
                node = None
            parts.append(f"[{step}]" + (f" ({name})" if name else ""))
        else:
            parts.append(("." if parts else "") + str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "top level"


_MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): Schema,
    ("questions", "*"): Question,
    ("questions", "*", "labels", "*"): Label,
    ("questions", "*", "when"): When,
    ("annotation",): AnnotationPolicy,
    ("dataset",): DatasetDefaults,
}


def _allowed_keys(loc: Loc) -> list[str]:
    shape = tuple("*" if isinstance(step, int) else step for step in loc)
    model = _MODEL_AT.get(shape)
    return list(model.model_fields) if model else []


def _pydantic_problems(exc: ValidationError, data: Any) -> list[Problem]:
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        error_type = err["type"]
        where = _describe(loc[:-1], data) if loc else "top level"
        if error_type == "missing":
            hint = ""
            if loc[-1] == "kind":
                hint = ": one of " + ", ".join(KINDS)
            out.append(Problem(loc=loc, message=f"{where}: missing key {loc[-1]!r}; add it{hint}"))
        elif error_type == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            import difflib

            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            out.append(Problem(loc=loc, at_key=True, message=f"{where}: unknown key "
                               f"{loc[-1]!r}; {hint}allowed keys: {', '.join(allowed)}"))
        elif error_type == "model_type" or error_type == "dict_type" and not loc:
            out.append(Problem(loc=loc, message=f"{_describe(loc, data)}: expected a mapping of "
                               f"keys, got {type(err['input']).__name__}"))
        else:
            shown = repr(err.get("input"))
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            msg = err["msg"][0].lower() + err["msg"][1:]
            target = _describe(loc, data)
            out.append(Problem(loc=loc, message=f"{target}: {msg}, got {shown}; fix the value"))
    return out


def _format(path: Path | str, mark: yaml.Mark | None, message: str) -> str:
    if mark is None:
        return f"{path}: {message}"
    return f"{path}:{mark.line + 1}:{mark.column + 1}: {message}"


def _raise(path: Path | str, problems: Sequence[tuple[yaml.Mark | None, str]]) -> NoReturn:
    lines = sorted(problems, key=lambda m: (m[0].line, m[0].column) if m[0] else (-1, -1))
    text = [_format(path, mark, message) for mark, message in lines]
    error = SchemaError("\n".join(text))
    error.problems = text  # type: ignore[attr-defined]
    raise error


def _reader_problem(text: str, exc: yaml.reader.ReaderError) -> tuple[yaml.Mark, str]:
    """Where the character YAML refuses is, and one line saying so (not YAML's two)."""
    pos = exc.position if isinstance(exc.position, int) else 0
    line = text.count("\n", 0, pos)
    column = pos - (text.rfind("\n", 0, pos) + 1)
    char = exc.character if isinstance(exc.character, int) else 0
    return (yaml.Mark("<schema>", pos, line, column, None, None),  # type: ignore[arg-type]
            f"not valid YAML: character #x{char:04x} ({exc.reason}); a schema file is "
            "UTF-8 text: remove it, or check that this is the schema file")


def parse_schema(text: str, source: str | Path = "<schema>") -> Schema:
    """Parse and validate schema YAML text; ``source`` names it in error messages.

    Raises SchemaError whose message has one line per problem, each
    ``FILE:LINE:COLUMN: what is wrong; what to do`` (also in ``error.problems``).
    All problems of one phase are reported: YAML syntax stops at the first
    error; otherwise every key/type problem, or (when those are fine) every
    cross-field problem.
    """
    try:
        loader = _SchemaLoader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (e.g. NUL, binary data)
        _raise(source, [_reader_problem(text, exc)])
    try:
        try:
            node = loader.get_single_node()
        except _Refused as exc:
            _raise(source, [(exc.mark, exc.message)])
        except yaml.reader.ReaderError as exc:
            _raise(source, [_reader_problem(text, exc)])
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            what = exc.problem or "syntax error"
            _raise(source, [(mark, f"not valid YAML: {what}"
                             f"{' ' + exc.context if exc.context else ''}; fix the syntax "
                             "(indentation, quotes, colons)")])
        except yaml.YAMLError as exc:
            _raise(source, [(None, f"not valid YAML: {exc}; fix the syntax")])
        if node is None:
            _raise(source, [(None, "the file is empty; a schema needs at least name, version, "
                             "title, unit and questions (see schemas/README.md)")])
        positions = _Positions()
        positions.walk(node, loader)
        if positions.problems:
            _raise(source, positions.problems)
        try:
            data = loader.construct_document(node)
        except yaml.constructor.ConstructorError as exc:
            detail = exc.problem or "cannot construct this value"
            prefix = "could not determine a constructor for the tag"
            if detail.startswith(prefix):
                detail = (f"tag{detail[len(prefix):]} is not allowed: a schema file is plain "
                          "data; remove the tag")
            _raise(source, [(exc.problem_mark, detail)])
        except yaml.MarkedYAMLError as exc:
            _raise(source, [(exc.problem_mark, f"not valid YAML: {exc.problem}")])
    finally:
        loader.dispose()

    if not isinstance(data, dict):
        _raise(source, [(node.start_mark, "the file must be a mapping of keys (name, version, "
                         "title, unit, questions, ...), not a " + type(data).__name__)])
    try:
        schema = Schema.model_validate(data, context={"defer_cross_checks": True})
    except ValidationError as exc:
        problems = _pydantic_problems(exc, data)
    else:
        problems = check_schema(schema)
        if not problems:
            return schema
    lines: list[tuple[yaml.Mark | None, str]] = []
    for problem in problems:
        def _ref(match: re.Match[str]) -> str:
            # Cross references "@questions.3.name" become line:column.
            steps = tuple(int(s) if s.isdigit() else s for s in match.group(1).split("."))
            mark = positions.mark(steps)
            return f"line {mark.line + 1}:{mark.column + 1}" if mark else match.group(1)

        # only "@questions.<n>...": an e-mail in a message (an adjudicator) stays as it is
        message = re.sub(r"@(questions\.\d+(?:\.\w+)*)", _ref, problem.message)
        lines.append((positions.mark(problem.loc, at_key=problem.at_key), message))
    _raise(source, lines)


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_schema_text(path: Path) -> str:
    """The text of a schema file: a regular UTF-8 file of at most MAX_SCHEMA_BYTES.

    Opened without blocking (a named pipe would wait for a writer forever) and checked
    on the open file, so what is read is what was checked; a device such as /dev/zero
    is refused before a byte is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError as exc:
        raise SchemaError(f"{path}: no such schema file; check the path") from exc
    except OSError as exc:
        raise SchemaError(f"{path}: cannot read the schema file ({exc.strerror})") from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise SchemaError(f"{path}: {_file_kind(mode)}, not a schema file; give the path "
                          "of the schema's YAML file")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_SCHEMA_BYTES + 1)
        except OSError as exc:
            raise SchemaError(f"{path}: cannot read the schema file ({exc.strerror})") from exc
    if len(data) > MAX_SCHEMA_BYTES:
        raise SchemaError(f"{path}: larger than {MAX_SCHEMA_BYTES // 2**20} MiB, too large "
                          "for a schema file; check that this is the schema file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as read_text() did


def load_schema(path: str | Path) -> Schema:
    """Read and validate a schema file; raises SchemaError naming file, line and column."""
    path = Path(path)
    return parse_schema(read_schema_text(path), path)
