"""Names that say one thing: a public name is defined once in the package, no function rebinds a
name its module imports from the package, and no class takes the name of a TensorFlow or Keras class."""

import ast
import collections
import inspect
import pathlib

import keras
import tensorflow as tf

import srgan_tf

ROOT = pathlib.Path(srgan_tf.__file__).parent
# Every CLI command module defines these (cli/commands/__init__.py finds them by name); every
# package with lazy exports defines __getattr__.
PER_MODULE_PROTOCOL = {"add_arguments", "run", "__getattr__"}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_each_public_name_is_defined_once():
    defined = collections.defaultdict(list)
    for relative, tree in _modules():
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                defined[node.name].append(relative)
    twice = {name: paths for name, paths in defined.items() if len(paths) > 1 and name not in PER_MODULE_PROTOCOL}
    assert twice == {}


def test_no_function_rebinds_a_name_its_module_imports_from_the_package():
    shadowed = []
    for relative, tree in _modules():
        imported = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("srgan_tf")
            for alias in node.names
        }
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            arguments = function.args.posonlyargs + function.args.args + function.args.kwonlyargs
            bound = [a.arg for a in arguments]
            bound += [n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
            shadowed += [f"{relative}:{function.lineno} {name}" for name in sorted(set(bound) & imported)]
    assert shadowed == []


def test_no_class_takes_the_name_of_a_tensorflow_or_keras_class():
    modules = (tf, tf.data, keras, keras.layers, keras.models, keras.callbacks, keras.optimizers, keras.losses)
    theirs = {name for module in modules for name in dir(module) if inspect.isclass(getattr(module, name, None))}
    ours = [
        f"{relative} {node.name}"
        for relative, tree in _modules()
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name in theirs
    ]
    assert ours == []
