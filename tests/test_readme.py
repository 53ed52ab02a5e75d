"""The README's Python examples state their results in comments; check them."""

import ast
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _examples():
    text = README.read_text(encoding="utf-8")
    for block in re.findall(r"```python\n(.*?)```", text, flags=re.S):
        namespace_setup = [ln for ln in block.splitlines() if ln.startswith(("from ", "import "))]
        for line in block.splitlines():
            code, _, comment = line.partition("  #")
            if comment and not line.startswith(("from ", "import ")):
                yield "\n".join(namespace_setup), code.strip(), comment.strip()


EXAMPLES = list(_examples())


def test_readme_has_checked_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("setup, code, comment", EXAMPLES, ids=[e[1] for e in EXAMPLES])
def test_readme_example(setup, code, comment):
    namespace = {}
    exec(setup, namespace)
    if comment.startswith("ValueError:"):
        with pytest.raises(ValueError, match=re.escape(comment[len("ValueError:"):].strip(" .").rstrip("."))):
            eval(code, namespace)
        return
    expected = ast.literal_eval(comment.split(":")[0].strip())
    assert eval(code, namespace) == expected
