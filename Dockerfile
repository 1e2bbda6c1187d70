# syntax=docker/dockerfile:1
# Two stages: the first builds a virtualenv of the pinned dependencies, the second copies just
# that and the application onto a clean slim image, so no pip cache or build files ship.

FROM python:3.13-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
WORKDIR /src
# Only pyproject.toml, so the dependency layer is rebuilt only when the pins change.
COPY pyproject.toml ./
# Wheels only, but for BuildKit's Dockerfile parser (the `dockerfile` package), which publishes
# none for Linux on ARM: there it is built from source with Debian's Go.
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && if [ "$(uname -m)" = aarch64 ]; then \
      apt-get update && apt-get install -y --no-install-recommends golang-go gcc libc6-dev \
      && /opt/venv/bin/pip install --no-binary=dockerfile "$(grep '^dockerfile==' requirements.txt)"; \
    fi \
 && /opt/venv/bin/pip install --only-binary=:all: --requirement requirements.txt

FROM python:3.13-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000 \
    STATIC_ROOT=/app/staticfiles \
    CONTENT_ROOT=/app/content
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# Application files stay owned by root: the app user can read them but not change them.
COPY manage.py ./
COPY courseapp ./courseapp
COPY templates ./templates
COPY static ./static
COPY deploy/start.sh deploy/gunicorn.conf.py ./deploy/
COPY content ./content
# Hashed, compressed static files for whitenoise; the placeholder key exists only in this RUN.
RUN SECRET_KEY=collectstatic-needs-no-secret python manage.py collectstatic --no-input --verbosity 0 \
 && python -m compileall -q /app/courseapp
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["/app/deploy/start.sh"]
CMD ["all"]
