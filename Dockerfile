# The Cocreate image: one image for the web (gunicorn), worker and beat processes.
#   docker build -t cocreate .
# Settings come from the environment at run time (see README "Configuration"); nothing secret
# is baked in. The SECRET_KEY below exists only for collectstatic during the build.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=cocreate.settings.production \
    WEB_CONCURRENCY=3

WORKDIR /app

# Dependencies first, so code changes do not reinstall them. Every pin has a wheel for
# linux/amd64 and arm64 (psycopg2-binary included), so no compiler is needed.
COPY requirements/base.lock requirements/base.lock
RUN pip install -r requirements/base.lock

RUN groupadd --system --gid 10001 cocreate \
    && useradd --system --uid 10001 --gid cocreate --home-dir /app --shell /usr/sbin/nologin cocreate

COPY --chown=cocreate:cocreate . .

# Hashed static files (ManifestStaticFilesStorage), served by WhiteNoise. The build-only values
# satisfy production settings' checks; the running container gets real ones from its env file.
RUN SECRET_KEY="build-only-collectstatic-key-never-used-at-runtime-0123456789abcdef" \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3 \
    && chown -R cocreate:cocreate /app/staticfiles \
    && install -d -m 0700 -o cocreate -g cocreate /data/exports

USER cocreate

EXPOSE 8000

# Web by default (gunicorn reads its worker count from WEB_CONCURRENCY); the compose file runs
# the worker and beat from the same image.
CMD ["gunicorn", "cocreate.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
