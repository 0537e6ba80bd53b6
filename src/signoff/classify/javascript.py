"""JavaScript and TypeScript: npm/Yarn/pnpm/Bun/Deno manifests, lockfiles and build config.

`package.json` is a manifest, but its lifecycle scripts (`postinstall`) run on every install; a
semantic analyzer reports those as facts. Registry credential files (`.npmrc`, `.yarnrc.yml`) are
in `signing-publishing`.
"""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass


class JavaScript(RuleClassifier):
    ident = "javascript"
    desc = "package.json, npm/Yarn/pnpm/Bun/Deno lockfiles, workspaces and bundler config"
    rules = (
        specific(
            FileClass.DEPENDENCY_MANIFEST,
            ("package.json", "npm package: dependencies and lifecycle scripts"),
            ("pnpm-workspace.yaml", "pnpm workspace packages and catalog versions"),
            ("deno.json", "Deno imports and tasks"),
            ("deno.jsonc", "Deno imports and tasks"),
            ("bunfig.toml", "Bun install settings (registries)"),
        )
        + specific(
            FileClass.LOCKFILE,
            ("package-lock.json", "npm lockfile"),
            ("npm-shrinkwrap.json", "npm lockfile (published)"),
            ("yarn.lock", "Yarn lockfile"),
            ("pnpm-lock.yaml", "pnpm lockfile"),
            ("bun.lockb", "Bun lockfile"),
            ("bun.lock", "Bun lockfile"),
            ("deno.lock", "Deno lockfile"),
        )
        + specific(
            FileClass.PACKAGING_BUILD,
            (".pnpmfile.cjs", "pnpm hooks: code run on every install"),
            (".pnpmfile.mjs", "pnpm hooks: code run on every install"),
            ("**/.yarn/releases/", "the Yarn release the repository runs"),
            ("**/.yarn/plugins/", "Yarn plugins run on install"),
            ("**/.yarn/patches/", "patches applied to dependencies"),
            ("patches/", "patches applied to dependencies (patch-package)"),
            (".npmignore", "what npm publishes"),
            ("tsconfig*.json", "TypeScript compiler settings"),
            ("jsconfig.json", "JavaScript project settings"),
            ("webpack.config.*", "webpack bundler config (code)"),
            ("vite.config.*", "Vite build config (code)"),
            ("rollup.config.*", "Rollup bundler config (code)"),
            ("esbuild.config.*", "esbuild config (code)"),
            *(
                (f"{name}.{ext}", "build script (code)")
                for name in ("build", "esbuild")
                for ext in ("js", "cjs", "mjs", "ts", "mts")
            ),
            ("babel.config.*", "Babel config"),
            (".babelrc*", "Babel config"),
            ("next.config.*", "Next.js build config (code)"),
            ("gulpfile.*", "gulp build tasks (code)"),
            ("Gruntfile.*", "Grunt build tasks (code)"),
            ("lerna.json", "Lerna monorepo versioning and publishing"),
            ("nx.json", "Nx build settings"),
            ("turbo.json", "Turborepo pipeline"),
        )
    )
