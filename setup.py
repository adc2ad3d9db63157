"""The compiled part of the engine (src/newswire/engine/_sift.c): optional.

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
        )
    ]
)
