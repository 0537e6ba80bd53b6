"""Container images: Dockerfiles/Containerfiles (any case, any suffix) and build context rules.

`docker build -f` takes any file name, so `Dockerfile.prod`, `dockerfile` and `api.Dockerfile` all
count. Compose files describe how images run and are in `deployment`.
"""

from __future__ import annotations

from signoff.classify.rules import AnyCase, RuleClassifier, specific
from signoff.taxonomy import FileClass


class Containers(RuleClassifier):
    ident = "containers"
    desc = "Dockerfile*, *.dockerfile, Containerfile*, .dockerignore, docker-bake, .docker/"
    rules = specific(
        FileClass.PACKAGING_BUILD,
        (AnyCase("Dockerfile*"), "Dockerfile: how the image is built"),
        (AnyCase("*.dockerfile"), "Dockerfile: how the image is built"),
        (AnyCase("Containerfile*"), "Containerfile: how the image is built"),
        (AnyCase("*.containerfile"), "Containerfile: how the image is built"),
        (".dockerignore", "what goes into the image build context"),
        ("*.dockerignore", "what goes into the image build context"),
        ("docker-bake*.hcl", "Docker Bake build definition"),
        ("docker-bake*.json", "Docker Bake build definition"),
        ("**/.docker/**", "a `.docker` folder: what an image build copies in and runs"),
    )
