"""Which global names a notebook cell binds and which it reads.

otter-grader runs every test after the whole notebook has run, so a test only
sees the value an exercise left if no later cell binds the same name again.
These helpers read a cell's source (IPython magics included) with ``ast`` and
report its module-level bindings, in order, and the global names it reads.
"""

import ast
import builtins
import functools


@functools.lru_cache(maxsize=None)
def _transformer():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


def _parse(source):
    try:
        return ast.parse(_transformer().transform_cell(source))
    except SyntaxError:
        return None


def _target_names(node):
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [name for element in node.elts for name in _target_names(element)]
    if isinstance(node, ast.Starred):
        return _target_names(node.value)
    return []


_COMPOUND = (ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.If, ast.Try)
_BUILTINS = set(dir(builtins)) | {"get_ipython", "display"}
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _statement_bindings(node):
    """Names one statement (or expression) binds in the scope it runs in, without entering inner scopes."""
    names = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(item.name)
            continue
        if isinstance(item, (ast.Lambda, *_COMPREHENSIONS)):
            continue
        if isinstance(item, (ast.Import, ast.ImportFrom)):
            names.extend((alias.asname or alias.name.split(".")[0]) for alias in item.names if alias.name != "*")
            continue
        if isinstance(item, ast.Name) and isinstance(item.ctx, (ast.Store, ast.Del)):
            names.append(item.id)
        elif isinstance(item, ast.ExceptHandler) and item.name:
            names.append(item.name)
        elif isinstance(item, ast.MatchAs) and item.name:
            names.append(item.name)
        stack.extend(reversed(list(ast.iter_child_nodes(item))))
    return names


def bound_names(source):
    """The global names a cell binds (assigns, defines, imports, deletes), in order, without repeats.

    Returns ``None`` when the source is not valid Python.
    """
    tree = _parse(source)
    if tree is None:
        return None
    names = []
    for statement in tree.body:
        names.extend(_statement_bindings(statement))
    return list(dict.fromkeys(names))


def _function_locals(node):
    args = node.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if a}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a}
    body = node.body if isinstance(node.body, list) else [node.body]
    declared_global = {
        name for statement in ast.walk(node) if isinstance(statement, (ast.Global, ast.Nonlocal))
        for name in statement.names
    }
    for statement in body:
        names.update(_statement_bindings(statement))
    return names - declared_global


class _Reads(ast.NodeVisitor):
    def __init__(self):
        self.scopes = [set()]
        self.reads = set()

    def _visit_scope(self, node, local_names, children):
        self.scopes.append(set(local_names))
        for child in children:
            self.visit(child)
        self.scopes.pop()

    def visit_FunctionDef(self, node):
        for child in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if child is not None:
                self.visit(child)
        self._visit_scope(node, _function_locals(node), node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        for child in [*node.args.defaults, *node.args.kw_defaults]:
            if child is not None:
                self.visit(child)
        self._visit_scope(node, _function_locals(node), [node.body])

    def visit_ClassDef(self, node):
        for child in [*node.bases, *node.keywords, *node.decorator_list]:
            self.visit(child)
        self._visit_scope(node, {n for s in node.body for n in _statement_bindings(s)}, node.body)

    def _visit_comprehension(self, node):
        targets = {name for generator in node.generators for name in _target_names(generator.target)}
        self.visit(node.generators[0].iter)
        rest = [*(g.target for g in node.generators), *(g.iter for g in node.generators[1:])]
        rest += [condition for g in node.generators for condition in g.ifs]
        rest += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        self._visit_scope(node, targets, rest)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _visit_comprehension

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and not any(node.id in scope for scope in self.scopes[1:]):
            self.reads.add(node.id)


def read_names(source):
    """The global names a cell reads and does not bind itself first; ``None`` for invalid Python."""
    tree = _parse(source)
    if tree is None:
        return None
    bound_before, reads = set(), set()
    for statement in tree.body:
        visitor = _Reads()
        visitor.visit(statement)
        binds = set(_statement_bindings(statement))
        # A loop or block binds its targets before its body reads them.
        own = binds if isinstance(statement, _COMPOUND) else set()
        reads |= visitor.reads - bound_before - own
        bound_before |= binds
    return reads - _BUILTINS
