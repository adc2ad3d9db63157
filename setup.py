"""The compiled parts of the engine (src/newswire/engine/_sift.c, _sheets.c, _walk.c): optional.

Everything else is in pyproject.toml. When no C compiler is at hand the build goes on
without it and the engine uses its numpy versions, which give the same results.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "newswire.engine._sift",
            ["src/newswire/engine/_sift.c"],
            optional=True,
            extra_compile_args=["-O3"],
        ),
        Extension(
            "newswire.engine._sheets",
            ["src/newswire/engine/_sheets.c"],
            optional=True,
            extra_compile_args=["-O3"],
        ),
        Extension(
            "newswire.engine._walk",
            ["src/newswire/engine/_walk.c"],
            optional=True,
            extra_compile_args=["-O3"],
            libraries=["dl"],
        ),
    ]
)
