"""parse_module reads agent code written for Python 3.12-3.14 on any supported interpreter,
with the exact line and column of every node; valid 3.11 code parses exactly as ast.parse does."""

from __future__ import annotations

import ast
import sys
import textwrap
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentcore_readiness.analysis.pyparse import ParseLimitError, parse_module, parse_with_backport

NATIVE_312 = sys.version_info >= (3, 12)
NATIVE_313 = sys.version_info >= (3, 13)


def source(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def shape(node: ast.AST) -> str:
    """ast.dump without positions, empty lists shown on every version (3.13 hides them by default)."""
    if sys.version_info >= (3, 13):
        return ast.dump(node, show_empty=True)
    return ast.dump(node)


def span(node: ast.AST) -> tuple[int, int, int, int]:
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


def find(tree: ast.AST, test: Callable[[ast.AST], bool]) -> list[ast.AST]:
    return [node for node in ast.walk(tree) if test(node)]


def call_of(name: str) -> Callable[[ast.AST], bool]:
    return lambda node: isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def column(text: str, line: int, needle: str) -> int:
    """UTF-8 byte column of ``needle`` on a 1-based line (what ast reports)."""
    row = text.splitlines()[line - 1]
    return len(row[: row.index(needle)].encode())


def needs_fallback(text: str) -> None:
    """The snippet really uses syntax this interpreter's own parser rejects (so the test is not vacuous)."""
    with pytest.raises(SyntaxError):
        ast.parse(text)


# --- PEP 701 f-strings ---------------------------------------------------------------------------

ENTRYPOINT_PEP701 = source(
    """
    from bedrock_agentcore.runtime import BedrockAgentCoreApp
    from strands import Agent

    app = BedrockAgentCoreApp()
    agent = Agent()


    @app.entrypoint
    def invoke(payload, context):
        try:
            return {"result": str(agent(payload["prompt"]))}
        except Exception as e:
            return {"error": f"agent failed on {payload["prompt"]!r}: {str(e)}"}
        # the statement after the f-string keeps its place
        return {"status": "unreachable"}
    """
)


def test_fstring_reusing_its_quotes_in_an_entrypoint_keeps_the_exception_call_in_place() -> None:
    if not NATIVE_312:
        needs_fallback(ENTRYPOINT_PEP701)
    tree = parse_module(ENTRYPOINT_PEP701, "app/Agent/main.py")

    handler = find(tree, lambda n: isinstance(n, ast.ExceptHandler))[0]
    returned = handler.body[0].value
    joined = returned.values[0]
    assert shape(joined) == (
        "JoinedStr(values=[Constant(value='agent failed on '), FormattedValue(value=Subscript("
        "value=Name(id='payload', ctx=Load()), slice=Constant(value='prompt'), ctx=Load()), conversion=114), "
        "Constant(value=': '), FormattedValue(value=Call(func=Name(id='str', ctx=Load()), "
        "args=[Name(id='e', ctx=Load())], keywords=[]), conversion=-1)])"
    )
    line = 13
    assert span(joined) == (
        line,
        column(ENTRYPOINT_PEP701, line, 'f"agent'),
        line,
        len(ENTRYPOINT_PEP701.splitlines()[line - 1]) - 1,
    )
    str_e = find(joined, call_of("str"))[0]
    start = column(ENTRYPOINT_PEP701, line, "str(e)")
    assert span(str_e) == (line, start, line, start + len("str(e)"))
    subscript = find(joined, lambda n: isinstance(n, ast.Subscript))[0]
    start = column(ENTRYPOINT_PEP701, line, 'payload["prompt"]!r')
    assert span(subscript) == (line, start, line, start + len('payload["prompt"]'))
    after = tree.body[-1].body[-1]
    assert isinstance(after, ast.Return)
    assert span(after) == (15, 4, 15, 36)


TOOL_PEP701 = source(
    """
    from strands import tool


    @tool
    def summarize(rows: list[dict[str, str]]) -> str:
        \"\"\"Summarize the rows for the model.\"\"\"
        body = f"{'\\n'.join(r["title"] for r in rows)}"
        detail = f"{
            len(rows)  # how many rows
        } rows, first {f"{rows[0]["id"]}" if rows else "none"}"
        return body + detail
    """
)


def test_backslash_comment_newline_and_nesting_inside_replacement_fields() -> None:
    if not NATIVE_312:
        needs_fallback(TOOL_PEP701)
    tree = parse_module(TOOL_PEP701, "app/Agent/tools.py")
    body, detail, ret = tree.body[1].body[1:]

    assert shape(body.value) == (
        "JoinedStr(values=[FormattedValue(value=Call(func=Attribute(value=Constant(value='\\n'), attr='join', "
        "ctx=Load()), args=[GeneratorExp(elt=Subscript(value=Name(id='r', ctx=Load()), slice=Constant(value='title'), "
        "ctx=Load()), generators=[comprehension(target=Name(id='r', ctx=Store()), iter=Name(id='rows', ctx=Load()), "
        "ifs=[], is_async=0)])], keywords=[]), conversion=-1)])"
    )
    join = find(body.value, lambda n: isinstance(n, ast.Call))[0]
    assert span(join) == (7, column(TOOL_PEP701, 7, "'\\n'"), 7, column(TOOL_PEP701, 7, ')}"') + 1)

    assert shape(detail.value) == (
        "JoinedStr(values=[FormattedValue(value=Call(func=Name(id='len', ctx=Load()), args=[Name(id='rows', "
        "ctx=Load())], keywords=[]), conversion=-1), Constant(value=' rows, first '), FormattedValue(value=IfExp("
        "test=Name(id='rows', ctx=Load()), body=JoinedStr(values=[FormattedValue(value=Subscript(value=Subscript("
        "value=Name(id='rows', ctx=Load()), slice=Constant(value=0), ctx=Load()), slice=Constant(value='id'), "
        "ctx=Load()), conversion=-1)]), orelse=Constant(value='none')), conversion=-1)])"
    )
    length = find(detail.value, call_of("len"))[0]
    assert span(length) == (9, 8, 9, 17)
    inner_id = find(detail.value, lambda n: isinstance(n, ast.Constant) and n.value == "id")[0]
    start = column(TOOL_PEP701, 10, '"id"')
    assert span(inner_id) == (10, start, 10, start + 4)
    assert span(ret) == (11, 4, 11, 24)


def test_fstring_in_a_decorator_above_a_generic_function() -> None:
    text = source(
        """
        @app.route(f"/orders/{ids["open"]}", methods=["GET"])
        def list_orders[T](kind: type[T]) -> list[T]:
            return [kind(row) for row in rows(f"{ids["open"]}")]
        """
    )
    if not NATIVE_312:
        needs_fallback(text)
    tree = parse_module(text, "x.py")
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    route = function.decorator_list[0]
    assert shape(route.args[0]) == (
        "JoinedStr(values=[Constant(value='/orders/'), FormattedValue(value=Subscript(value=Name(id='ids', "
        "ctx=Load()), slice=Constant(value='open'), ctx=Load()), conversion=-1)])"
    )
    assert span(route) == (1, 1, 1, 53)
    assert span(find(route, lambda n: isinstance(n, ast.Subscript))[0]) == (1, 22, 1, 33)
    assert span(find(function.body[0], call_of("rows"))[0]) == (3, 33, 3, 55)


def test_non_ascii_text_before_a_field_counts_in_utf8_bytes() -> None:
    text = 'note = f"größe → {sizes["größe"]:>{width}}" ; done = len(note)\n'
    tree = parse_module(text, "x.py")
    sizes = find(tree, lambda n: isinstance(n, ast.Name) and n.id == "sizes")[0]
    start = column(text, 1, 'sizes["')
    assert span(sizes) == (1, start, 1, start + 5)
    width = find(tree, lambda n: isinstance(n, ast.Name) and n.id == "width")[0]
    assert width.col_offset == column(text, 1, "width")
    length = find(tree, call_of("len"))[0]
    start = column(text, 1, "len(note)")
    assert span(length) == (1, start, 1, start + len("len(note)"))


# --- PEP 695 / 696 type parameters and type statements ----------------------------------------

TOOL_PEP695 = source(
    """
    from strands import tool

    type Row = dict[str, str | int]


    class Cache[K, V = str]:
        def get(self, key: K) -> V | None: ...


    @tool
    def pick[T: (str, int)](
        items: list[T],
        index: int,
    ) -> T:
        \"\"\"Return one item.\"\"\"
        return items[index]


    type Pair[
        T,  # the element
    ] = tuple[T, T]
    after = pick(["a"], 0)
    """
)


def test_generic_strands_tool_and_type_statements() -> None:
    if not NATIVE_313:
        needs_fallback(TOOL_PEP695)
    tree = parse_module(TOOL_PEP695, "app/Agent/tools.py")
    alias, cache, pick, pair, after = tree.body[1:]

    if NATIVE_312:
        assert isinstance(alias, ast.TypeAlias)
        assert isinstance(pair, ast.TypeAlias)
    else:
        # no TypeAlias node on 3.11: an assignment to the alias name, type parameters dropped
        assert shape(alias) == (
            "Assign(targets=[Name(id='Row', ctx=Store())], value=Subscript(value=Name(id='dict', ctx=Load()), "
            "slice=Tuple(elts=[Name(id='str', ctx=Load()), BinOp(left=Name(id='str', ctx=Load()), op=BitOr(), "
            "right=Name(id='int', ctx=Load()))], ctx=Load()), ctx=Load()))"
        )
        assert shape(pair) == (
            "Assign(targets=[Name(id='Pair', ctx=Store())], value=Subscript(value=Name(id='tuple', ctx=Load()), "
            "slice=Tuple(elts=[Name(id='T', ctx=Load()), Name(id='T', ctx=Load())], ctx=Load()), ctx=Load()))"
        )
        assert shape(pick.args) == (
            "arguments(posonlyargs=[], args=[arg(arg='items', annotation=Subscript(value=Name(id='list', "
            "ctx=Load()), slice=Name(id='T', ctx=Load()), ctx=Load())), arg(arg='index', annotation=Name(id='int', "
            "ctx=Load()))], kwonlyargs=[], kw_defaults=[], defaults=[])"
        )
        assert shape(cache).startswith("ClassDef(name='Cache', bases=[], keywords=[],")
    assert span(alias) == (3, 0, 3, 31)
    assert span(alias.targets[0] if isinstance(alias, ast.Assign) else alias.name) == (3, 5, 3, 8)
    assert span(pair) == (19, 0, 21, 15)
    assert span(pair.value) == (21, 4, 21, 15)
    assert span(cache.body[0]) == (7, 4, 7, 42)
    assert isinstance(pick, ast.FunctionDef) and pick.name == "pick"
    assert [span(a) for a in pick.args.args] == [(12, 4, 12, 18), (13, 4, 13, 14)]
    assert span(pick.body[1]) == (16, 4, 16, 23)
    assert [d.id for d in pick.decorator_list] == ["tool"]
    assert span(find(after, call_of("pick"))[0]) == (22, 8, 22, 22)


def test_type_parameter_defaults_read_on_every_interpreter() -> None:
    text = source(
        """
        class Registry[T = str, *Ts = *tuple[int], **P = [int]]:
            items: dict[str, T]
        def register[T: int = int](item: T) -> T: return item
        """
    )
    tree = parse_module(text, "x.py")
    registry, register = tree.body
    assert isinstance(registry, ast.ClassDef) and isinstance(register, ast.FunctionDef)
    if NATIVE_313:
        assert shape(register.type_params[0]) == (
            "TypeVar(name='T', bound=Name(id='int', ctx=Load()), default_value=Name(id='int', ctx=Load()))"
        )
    elif NATIVE_312:
        # 3.12 has type parameters but not their defaults: the defaults are dropped
        assert shape(register.type_params[0]) == "TypeVar(name='T', bound=Name(id='int', ctx=Load()))"
    assert span(registry.body[0]) == (2, 4, 2, 23)
    assert span(register.args.args[0]) == (3, 27, 3, 34)
    assert span(register.body[0]) == (3, 42, 3, 53)


# --- PEP 758 except without parentheses -----------------------------------------------------------

ENTRYPOINT_PEP758 = source(
    """
    from bedrock_agentcore.runtime import BedrockAgentCoreApp

    app = BedrockAgentCoreApp()


    @app.entrypoint
    def invoke(payload, context):
        try:
            prompt = payload["prompt"]
        except ValueError, KeyError:
            return {"error": "bad request"}
        try:
            return answer(prompt)
        except* TimeoutError, ConnectionError:
            app.logger.exception("upstream failed")
        return {"error": "failed"}
    """
)


def test_except_without_parentheses_is_a_tuple_spanning_the_names() -> None:
    needs_fallback(ENTRYPOINT_PEP758)
    tree = parse_module(ENTRYPOINT_PEP758, "app/Agent/main.py")
    plain, star = find(tree, lambda n: isinstance(n, ast.ExceptHandler))
    assert shape(plain.type) == (
        "Tuple(elts=[Name(id='ValueError', ctx=Load()), Name(id='KeyError', ctx=Load())], ctx=Load())"
    )
    assert span(plain.type) == (10, 11, 10, 31)
    assert [span(e) for e in plain.type.elts] == [(10, 11, 10, 21), (10, 23, 10, 31)]
    assert span(plain) == (10, 4, 11, 39)
    assert shape(star.type) == (
        "Tuple(elts=[Name(id='TimeoutError', ctx=Load()), Name(id='ConnectionError', ctx=Load())], ctx=Load())"
    )
    assert span(star.type) == (14, 12, 14, 41)
    assert isinstance(find(tree, lambda n: isinstance(n, ast.TryStar))[0], ast.TryStar)
    logged = find(tree, lambda n: isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute))[0]
    assert span(logged) == (15, 8, 15, 47)
    assert span(tree.body[-1].body[-1]) == (16, 4, 16, 30)


def test_an_unparenthesised_except_with_as_is_still_an_error() -> None:
    text = "try:\n    pass\nexcept ValueError, KeyError as e:\n    pass\n"
    with pytest.raises(SyntaxError) as caught:
        parse_module(text, "x.py")
    assert caught.value.lineno == 3


# --- PEP 750 template strings -----------------------------------------------------------------------


def test_template_string_reads_as_the_fstring_it_is_written_like() -> None:
    text = source(
        """
        def render(question, user, e):
            prompt = t"Answer {question!r} for {user:>10}"
            raw = tr"\\d+ {user}"
            return prompt, raw, T'{str(e)}'
        """
    )
    needs_fallback(text)
    tree = parse_module(text, "x.py")
    prompt, raw, ret = tree.body[0].body
    assert shape(prompt.value) == (
        "JoinedStr(values=[Constant(value='Answer '), FormattedValue(value=Name(id='question', ctx=Load()), "
        "conversion=114), Constant(value=' for '), FormattedValue(value=Name(id='user', ctx=Load()), conversion=-1, "
        "format_spec=JoinedStr(values=[Constant(value='>10')]))])"
    )
    assert shape(raw.value) == (
        "JoinedStr(values=[Constant(value='\\\\d+ '), FormattedValue(value=Name(id='user', ctx=Load()), conversion=-1)])"
    )
    assert span(prompt.value) == (2, 13, 2, 50)
    assert span(find(prompt.value, lambda n: isinstance(n, ast.Name) and n.id == "user")[0]) == (2, 40, 2, 44)
    str_e = find(ret, call_of("str"))[0]
    assert span(str_e) == (4, 27, 4, 33)


# --- errors and limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("def f(:\n    pass\n", 1),
        ("type Row = dict[str, int]\n\nx = 1\ndef f(:\n    pass\n", 4),
        ('msg = f"{d["k"]}"\nvalue = f"{}"\n', 2),
        ('msg = f"{d["k"]}"\nvalue = f"unterminated {msg\n', 2),
        ("class C[T]:\n    pass\nx = (1,\n", 3),
        ("x = 1\ny = 'a\x00b'\n", 2),
    ],
)
def test_invalid_source_raises_a_syntax_error_at_its_line(text: str, line: int) -> None:
    with pytest.raises(SyntaxError) as caught:
        parse_module(text, "app/main.py")
    assert caught.value.lineno == line
    assert caught.value.filename == "app/main.py"
    assert caught.value.msg


def test_fstring_in_a_place_only_a_name_can_be_is_an_error() -> None:
    with pytest.raises(SyntaxError) as caught:
        parse_module('d = {"k": 1}\nf"{d["k"]}" = 3\n', "x.py")
    assert caught.value.lineno == 2
    assert "f-string" in caught.value.msg


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "(" * 100_000 + ")" * 100_000 + "\n",
        "x = " + "-" * 100_000 + "1\n",
        "x = " + "1 + " * 100_000 + "1\n",
        'x = f"{d["k"]}"\ny = ' + "1 + " * 100_000 + "1\n",
        "x = " + 'f"{' * 400 + "1" + '}"' * 400 + "\n",
    ],
    ids=["parentheses", "unary", "binary", "binary-after-new-syntax", "nested-fstrings"],
)
def test_deep_nesting_is_a_syntax_error_not_a_crash(text: str) -> None:
    with pytest.raises(SyntaxError):
        parse_module(text, "deep.py")


def test_recursion_in_the_parser_is_reported_as_a_parse_limit() -> None:
    with pytest.raises(ParseLimitError) as caught:
        parse_module("x = " + "1 + " * 100_000 + "1\n", "deep.py")
    assert caught.value.filename == "deep.py"
    assert "nests too deeply" in caught.value.msg


def test_a_large_file_of_new_syntax_parses_with_every_line_in_place() -> None:
    block = source(
        """
        type Row{i} = dict[str, int]
        def handler_{i}[T](event: T) -> str:
            try:
                return f"{{event["id"]}}"
            except KeyError, TypeError:
                return t"missing {{event!r}}"
        """
    )
    text = "".join(block.format(i=i) for i in range(1_000))
    tree = parse_module(text, "big.py")
    assert len(tree.body) == 2_000
    last = tree.body[-1]
    assert isinstance(last, ast.FunctionDef) and last.name == "handler_999"
    assert span(last) == (2 + 6 * 999, 0, 6 * 1000, 35)


def test_windows_line_endings_keep_lines_and_columns() -> None:
    text = ENTRYPOINT_PEP758.replace("\n", "\r\n")
    tree = parse_module(text, "x.py")
    expected = parse_module(ENTRYPOINT_PEP758, "x.py")
    assert dump(tree) == dump(expected)


# --- properties --------------------------------------------------------------------------------------------
#
# A generator of valid 3.11 programs heavy on what the rewrite touches (strings of every
# prefix and quote, escapes, non-ASCII text, f-strings with conversions, debug "=", format
# specs and nested f-strings, implicit concatenation, brackets over several lines), rendered
# twice: as 3.11 writes it, and as 3.12+ may (the same quote reused inside replacement fields,
# a standalone f-string written as a t-string). Both renderings have the same length
# everywhere, so they must give the same tree, positions included.

Pair = tuple[str, str]
QUOTES = ('"', "'")
NAMES = st.sampled_from(["x", "payload", "größe", "名前", "_e", "match", "type", "rows"])
NUMBERS = st.sampled_from(["0", "42", "0x1F", "1_000", "3.14", "1e-3", "2j", ".5"])
STRING_PIECES = st.sampled_from(["a", "b c", "{", "}", "é", "€", "%s", "\\n", "\\t", "\\x41", "\\N{BULLET}", "\\\\"])
FIELD_STRING_PIECES = st.sampled_from(["a", "b c", "é", "%s", "{", "}"])
FSTRING_PIECES = st.sampled_from(["text ", "{{", "}}", "é", "€ ", "\\n", "\\N{BULLET}", "\\\\", " "])
NESTED_FSTRING_PIECES = st.sampled_from(["text ", "{{", "}}", "é"])
SPECS = st.sampled_from([">10", ".2f", "^5", "x", "", ","])


def twin(text: str) -> Pair:
    return text, text


@st.composite
def plain_string(draw: st.DrawFn, banned: frozenset[str], outer: str) -> Pair:
    """A string literal; inside a replacement field (``banned`` quotes) 3.11 needs another quote than ``outer``."""
    allowed = [q for q in QUOTES if q not in banned]
    quote = draw(st.sampled_from(allowed))
    if len(quote) == 1 and draw(st.booleans()):
        quote *= 3
    pieces = FIELD_STRING_PIECES if banned else STRING_PIECES
    body = "".join(draw(st.lists(pieces, max_size=4)))
    prefix = "" if banned else draw(st.sampled_from(["", "r", "u", "R"]))
    old = f"{prefix}{quote}{body}{quote}"
    if not outer:
        return twin(old)
    same = outer * len(quote)  # PEP 701: the enclosing quote again
    return old, f"{prefix}{same}{body}{same}"


@st.composite
def fstring(draw: st.DrawFn, banned: frozenset[str], outer: str, depth: int) -> Pair:
    allowed = [q for q in QUOTES if q not in banned]
    quote = draw(st.sampled_from(allowed))
    raw = draw(st.booleans()) and not banned
    prefix = draw(st.sampled_from(["rf", "Rf", "fr"] if raw else ["f", "F"]))
    inner = banned | {quote}
    old_parts: list[str] = []
    new_parts: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            piece = draw(FSTRING_PIECES if not banned else NESTED_FSTRING_PIECES)
            if raw and "\\" in piece:
                piece = "text "
            old_parts.append(piece)
            new_parts.append(piece)
            continue
        expr_old, expr_new = draw(expression(inner, quote, depth + 1))
        lead = " " if expr_old.startswith("{") or draw(st.booleans()) else ""
        debug = draw(st.sampled_from(["", "=", " = "]))
        conversion = draw(st.sampled_from(["", "!r", "!s", "!a"]))
        spec = draw(SPECS) if draw(st.booleans()) else None
        if spec is not None and depth == 0 and draw(st.booleans()):
            spec += "{" + draw(NAMES) + "}"
        tail = debug + conversion + ("" if spec is None else ":" + spec)
        if debug:
            expr_new = expr_old  # "=" repeats the source text, so the quotes must stay as they are
        old_parts.append("{" + lead + expr_old + tail + "}")
        new_parts.append("{" + lead + expr_new + tail + "}")
    return f"{prefix}{quote}{''.join(old_parts)}{quote}", f"{prefix}{quote}{''.join(new_parts)}{quote}"


@st.composite
def expression(draw: st.DrawFn, banned: frozenset[str] = frozenset(), outer: str = "", depth: int = 0) -> Pair:
    choices = ["name", "number", "call", "binop", "attr", "tuple"]
    if len(banned) < 2:
        choices += ["string", "subscript"]
        if depth < 2:
            choices += ["fstring", "fstring", "concat"]
    if depth > 2:
        choices = ["name", "number"]
    kind = draw(st.sampled_from(choices))
    if kind == "name":
        return twin(draw(NAMES))
    if kind == "number":
        return twin(draw(NUMBERS))
    if kind == "string":
        return draw(plain_string(banned, outer))
    if kind == "fstring":
        old, new = draw(fstring(banned, outer, depth))
        if depth == 0 and draw(st.booleans()):
            # a standalone t-string reads as the f-string it is written like
            prefix = new[: min(new.index(q) for q in QUOTES if q in new)]
            new = prefix.replace("f", "t").replace("F", "T") + new[len(prefix) :]
        return old, new
    if kind == "concat":
        first = draw(plain_string(banned, outer))
        second = draw(fstring(banned, outer, depth))
        gap = draw(st.sampled_from([" ", "", "  "]))
        return first[0] + gap + second[0], first[1] + gap + second[1]
    a = draw(expression(banned, outer, depth + 1))
    b = draw(expression(banned, outer, depth + 1))
    if kind == "call":
        return f"str({a[0]}, {b[0]})", f"str({a[1]}, {b[1]})"
    if kind == "binop":
        op = draw(st.sampled_from([" + ", " * ", " % ", " == ", " != "]))
        return f"{a[0]}{op}{b[0]}", f"{a[1]}{op}{b[1]}"
    if kind == "attr":
        return f"({a[0]}).upper()", f"({a[1]}).upper()"
    if kind == "subscript":
        return f"{a[0]}[{b[0]}]", f"{a[1]}[{b[1]}]"
    return f"({a[0]}, {b[0]})", f"({a[1]}, {b[1]})"


@st.composite
def program(draw: st.DrawFn) -> Pair:
    old: list[str] = []
    new: list[str] = []

    def line(text: Pair, indent: str = "") -> None:
        old.append(indent + text[0])
        new.append(indent + text[1])

    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["assign", "call", "return", "try", "decorated", "comment"]))
        e = draw(expression())
        if kind == "assign":
            line((f"value = {e[0]}", f"value = {e[1]}"))
        elif kind == "call":
            f = draw(expression())
            line((f"print(\n    {e[0]},\n    {f[0]})", f"print(\n    {e[1]},\n    {f[1]})"))
        elif kind == "return":
            line(twin("def handler(payload, context):"))
            line((f"return {e[0]}", f"return {e[1]}"), "    ")
        elif kind == "try":
            line(twin("try:"))
            line(twin("pass"), "    ")
            line(twin("except (ValueError, KeyError) as err:"))
            line((f"raise RuntimeError({e[0]}) from err", f"raise RuntimeError({e[1]}) from err"), "    ")
        elif kind == "decorated":
            line((f"@register({e[0]})", f"@register({e[1]})"))
            line(twin(draw(st.sampled_from(["def handler():", "class Handler:"]))))
            line(twin("pass"), "    ")
        else:
            line(twin("# a comment with 'quotes' and {braces}"))
    return "\n".join(old) + "\n", "\n".join(new) + "\n"


def dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program())
def test_valid_311_source_parses_exactly_as_the_native_parser(pair: Pair) -> None:
    old, _ = pair
    expected = dump(ast.parse(old))
    assert dump(parse_module(old, "x.py")) == expected
    assert dump(parse_with_backport(old, "x.py")) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program())
def test_pep701_spelling_parses_like_its_311_twin(pair: Pair) -> None:
    old, new = pair
    assert len(old) == len(new)
    assert dump(parse_module(new, "x.py")) == dump(ast.parse(old))
