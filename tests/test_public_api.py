import newswire.engine as engine


def test_all_lists_the_public_names_sorted_and_importable() -> None:
    assert engine.__all__ == sorted(engine.__all__)
    public = {n for n in dir(engine) if not n.startswith("_")}
    modules = {"align", "check", "config", "errors", "extract", "fingerprint", "index", "ninjs",
               "pipeline", "pool", "read", "saved", "terms", "types", "embedded", "logging", "styles", "photos",
               "annotations", "decoding", "sifting", "images", "reader", "walks", "dates",
               "explain"}  # fmt: skip
    assert set(engine.__all__) == public - modules | (set(engine.__all__) & modules)
    for name in engine.__all__:
        assert getattr(engine, name) is not None


def test_engine_imports_no_django() -> None:
    import subprocess
    import sys

    code = "import sys, newswire.engine, newswire.cli; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_stage_is_its_module() -> None:
    """(issue 36, item 6) ``import newswire.engine.extract`` gives the module: the package
    binds no function under a stage's name."""
    import types

    import newswire.engine.align
    import newswire.engine.explain
    import newswire.engine.extract
    import newswire.engine.read

    for stage in (engine.extract, engine.align, engine.explain, engine.read):
        assert isinstance(stage, types.ModuleType)
    assert callable(newswire.engine.extract.extract)
