# syntax=docker/dockerfile:1
# The control plane: `docker build -t signoff .`, then see compose.yaml and docs/deploy.md.
# Two stages: the first builds signoff's wheel and downloads every dependency as a wheel; the
# second installs only those wheels (no index, no compiler) and runs as an unprivileged user.

FROM python:3.12-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN python -m pip wheel --no-cache-dir --disable-pip-version-check --wheel-dir /wheels ".[server]"

FROM python:3.12-slim-bookworm
# git: the server reads its copies of repositories (release verify, trace); ssh-keygen
# (openssh-client): signed commits and approvals. Versions float with the base's security updates.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git openssh-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /var/lib/signoff signoff
COPY --from=build /wheels /tmp/wheels
# every wheel is the exact build or download of the first stage: no resolver, no index
RUN python -m pip install --no-cache-dir --disable-pip-version-check --no-index --no-deps /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SIGNOFF_HOST=0.0.0.0 \
    SIGNOFF_PORT=8700 \
    SIGNOFF_DATA_DIR=/var/lib/signoff
USER 10001:10001
WORKDIR /var/lib/signoff
VOLUME ["/var/lib/signoff"]
EXPOSE 8700
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('SIGNOFF_PORT', '8700') + '/readyz', timeout=4)"]
ENTRYPOINT ["signoff"]
CMD ["serve"]
