"""Source code (generic, medium): files recognised by a programming-language extension.

Shell and other scripts are source unless a specific rule names them (`release.sh`,
`scripts/build*`). Gradle Kotlin scripts (`*.gradle.kts`) match `jvm` specifically, so only plain
`.kts` files are source. Data formats (YAML, JSON, TOML, XML) are deliberately absent: an
unrecognised data file is `unknown` (high), because it can be config for anything.
"""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, generic
from signoff.taxonomy import FileClass

EXTENSIONS: tuple[str, ...] = (
    # Python, JavaScript/TypeScript and web
    *("py", "pyi", "pyx", "pxd", "pyw", "ipynb"),
    *("js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "vue", "svelte", "astro", "mdx"),
    *("html", "htm", "css", "scss", "sass", "less", "graphql", "gql", "wat", "svg"),
    # Systems and compiled languages
    *("go", "rs", "c", "h", "cc", "cpp", "cxx", "hh", "hpp", "hxx", "ipp", "inl", "cu", "m", "mm"),
    *("swift", "zig", "nim", "d", "f90", "f", "asm", "s", "S", "v", "sv", "vhd"),
    # JVM and .NET
    *("java", "kt", "kts", "scala", "sc", "groovy", "clj", "cljs", "cljc", "cs", "fs", "fsx"),
    "vb",
    # Scripting and other languages
    *("rb", "erb", "php", "pl", "pm", "lua", "r", "R", "jl", "dart", "ex", "exs", "erl", "hrl"),
    *("hs", "ml", "mli", "elm", "sol", "tcl", "coffee", "cr", "pas", "vala"),
    *("scm", "rkt", "el", "lisp"),
    *("sh", "bash", "zsh", "fish", "ps1", "psm1", "bat", "cmd"),
    # Query, schema and template languages that compile into the product
    *("sql", "proto", "thrift", "j2", "jinja", "jinja2", "tmpl", "tpl", "cshtml", "razor"),
    *("xaml", "jsp", "haml", "slim", "twig", "hbs", "mustache", "ejs", "pug", "liquid"),
)


#: Folders the build compiles whole into the product: test-name rules do not apply in them.
PRODUCT_ROOTS: tuple[str, ...] = ("**/src/main/",)


class Source(RuleClassifier):
    ident = "source"
    desc = "program source recognised by extension (Python, JS/TS, Go, Rust, JVM, .NET, C, ...)"
    rules = generic(
        FileClass.SOURCE,
        *((f"*.{ext}", f"`.{ext}` source") for ext in EXTENSIONS),
        *(
            (root, "product source root (compiled whole): test names here are source")
            for root in PRODUCT_ROOTS
        ),
    )
